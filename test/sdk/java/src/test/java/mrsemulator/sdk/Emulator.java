package mrsemulator.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A real emulator process (`node dist/src/server.js` on a free port) and its control plane. */
final class Emulator {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The repository's root: this suite runs in test/sdk/java. */
    static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../../..").normalize();
    /** test/sdk/cases.json: what every language's suite shares. */
    static final JsonNode CASES = read(ROOT.resolve("test/sdk/cases.json"));
    /** The scheme the SDKs speak to the emulator: the one parameter an https:// leg changes. */
    static final String SCHEME = System.getenv().getOrDefault("MRS_EMULATOR_SDK_SCHEME", "http");

    private static Emulator strict;
    private static Emulator permissive;

    final String url;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    /** The strict-mode emulator, as its fixtures made it. */
    static synchronized Emulator strict() {
        if (strict == null) strict = new Emulator("strict");
        return strict.reset();
    }

    /** The permissive-mode emulator, as its fixtures made it. */
    static synchronized Emulator permissive() {
        if (permissive == null) permissive = new Emulator("permissive");
        return permissive.reset();
    }

    static String text(String name) {
        return CASES.get(name).asText();
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private Emulator(String auth) {
        Path server = ROOT.resolve("dist/src/server.js");
        if (!Files.exists(server)) throw new IllegalStateException(server + " is missing: run npm run build first");
        String node = System.getenv().getOrDefault("MRS_EMULATOR_NODE", "node");
        try {
            List<String> command = new ArrayList<>(List.of(node, server.toString(), "--port", "0", "--log-level", "warn", "--auth", auth));
            // With https, every emulator serves TLS from one local CA, which test/sdk/run makes and
            // has the JVM trust as users do (a trust store, javax.net.ssl.trustStore).
            if (SCHEME.equals("https")) command.addAll(List.of("--tls", "auto", "--tls-dir", System.getenv("MRS_EMULATOR_SDK_TLS_DIR")));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + node, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            // "listening on http://… and https://… (CA: …)" with TLS.
            Pattern listening = Pattern.compile("listening on (?:\\S+ and )?(" + SCHEME + "://\\S+)");
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    Matcher match = listening.matcher(line);
                    if (match.find()) found.complete(match.group(1));
                }
            } catch (IOException ignored) {
                // the process ended
            }
            found.completeExceptionally(new IllegalStateException("the " + auth + " emulator exited without a URL"));
        });
        reader.setDaemon(true);
        reader.start();
        try {
            url = found.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroy();
            throw new IllegalStateException("the " + auth + " emulator printed no URL", e);
        }
    }

    /** A control-plane call: the status, and the parsed body (null when empty). */
    Answer control(String method, String path, Object body) {
        try {
            String data = body == null ? "" : JSON.writeValueAsString(body);
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/_emulator/" + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(data))
                .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(method + " /_emulator/" + path, e);
        }
    }

    record Answer(int status, JsonNode body) {}

    Emulator reset() {
        assertEquals(200, control("POST", "reset", null).status());
        return this;
    }

    void addFault(Map<String, ?> rule) {
        Answer answer = control("POST", "faults", rule);
        assertEquals(201, answer.status(), String.valueOf(answer.body()));
    }

    /** The journal's entries that match the filters, oldest first. */
    JsonNode journal(Map<String, String> filters) {
        String query = filters.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
        Answer answer = control("GET", "requests?" + query, null);
        assertEquals(200, answer.status());
        return answer.body().get("requests");
    }

    /** The newest entry of the journal. */
    JsonNode last() {
        return journal(Map.of("limit", "1")).get(0);
    }
}
