package mrsemulator.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.huaweicloud.sdk.core.HttpListener;
import com.huaweicloud.sdk.core.http.HttpConfig;
import java.io.IOException;

/** The last response body a client received, byte for byte, through the SDK's own HttpListener. */
final class Received {
    private volatile String body;

    /** An HttpConfig for a client whose answers this keeps. */
    HttpConfig config() {
        return HttpConfig.getDefaultHttpConfig()
            .addHttpListener(HttpListener.forResponseListener(response -> body = response.body().orElse(null)));
    }

    /** The last body, parsed. */
    JsonNode body() throws IOException {
        if (body == null) throw new IllegalStateException("no answer received yet");
        return Emulator.JSON.readTree(body);
    }
}
