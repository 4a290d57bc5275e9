package mrsemulator.sdk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.huaweicloud.sdk.core.ClientBuilder;
import com.huaweicloud.sdk.core.HcClient;
import com.huaweicloud.sdk.core.SdkResponse;
import com.huaweicloud.sdk.core.TypeCasts;
import com.huaweicloud.sdk.core.http.FieldExistence;
import com.huaweicloud.sdk.core.http.HttpMethod;
import com.huaweicloud.sdk.core.http.HttpRequestDef;
import com.huaweicloud.sdk.core.http.LocationType;
import com.huaweicloud.sdk.core.invoker.SyncInvoker;

/**
 * ListSyncStatus and ListSyncRequirements for Java. The newest huaweicloud-sdk-mrs on Maven
 * Central (3.1.143) has the other three IAM Synchronization operations but not these two (its
 * jar has no ListSyncStatusRequest or ListSyncRequirementsRequest). This client is what the SDK's
 * generator writes for an operation (compare MrsClient.showSyncIamUser and MrsMeta in that jar):
 * request and response models, an HttpRequestDef, and the SDK core's HcClient, which signs,
 * sends and parses exactly as for the other three.
 */
final class SyncStatusClient {
    private final HcClient hcClient;

    private SyncStatusClient(HcClient hcClient) {
        this.hcClient = hcClient;
    }

    static ClientBuilder<SyncStatusClient> newBuilder() {
        return new ClientBuilder<>(SyncStatusClient::new);
    }

    ListSyncStatusResponse listSyncStatus(ClusterRequest request) {
        return hcClient.syncInvokeHttp(request, LIST_SYNC_STATUS);
    }

    SyncInvoker<ClusterRequest, ListSyncStatusResponse> listSyncStatusInvoker(ClusterRequest request) {
        return new SyncInvoker<>(request, LIST_SYNC_STATUS, hcClient);
    }

    ListSyncRequirementsResponse listSyncRequirements(ClusterRequest request) {
        return hcClient.syncInvokeHttp(request, LIST_SYNC_REQUIREMENTS);
    }

    /** The request of both: the cluster in the path. */
    static final class ClusterRequest {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonProperty(value = "cluster_id")
        private String clusterId;

        ClusterRequest withClusterId(String clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        public String getClusterId() {
            return clusterId;
        }

        public void setClusterId(String clusterId) {
            this.clusterId = clusterId;
        }
    }

    public static final class ListSyncStatusResponse extends SdkResponse {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonProperty(value = "is_synchronizing")
        private Boolean isSynchronizing;

        public Boolean getIsSynchronizing() {
            return isSynchronizing;
        }

        public void setIsSynchronizing(Boolean isSynchronizing) {
            this.isSynchronizing = isSynchronizing;
        }
    }

    public static final class ListSyncRequirementsResponse extends SdkResponse {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonProperty(value = "is_synchronous")
        private Boolean isSynchronous;

        public Boolean getIsSynchronous() {
            return isSynchronous;
        }

        public void setIsSynchronous(Boolean isSynchronous) {
            this.isSynchronous = isSynchronous;
        }
    }

    private static final HttpRequestDef<ClusterRequest, ListSyncStatusResponse> LIST_SYNC_STATUS =
        get("ListSyncStatus", "/v2/{project_id}/clusters/{cluster_id}/iam-sync", ListSyncStatusResponse.class);

    private static final HttpRequestDef<ClusterRequest, ListSyncRequirementsResponse> LIST_SYNC_REQUIREMENTS =
        get("ListSyncRequirements", "/v2/{project_id}/clusters/{cluster_id}/iam-sync/is-synchronous", ListSyncRequirementsResponse.class);

    private static <S> HttpRequestDef<ClusterRequest, S> get(String name, String uri, Class<S> response) {
        HttpRequestDef.Builder<ClusterRequest, S> builder = HttpRequestDef.builder(HttpMethod.GET, ClusterRequest.class, response)
            .withName(name)
            .withUri(uri)
            .withContentType("application/json");
        builder.<String>withRequestField("cluster_id", LocationType.Path, FieldExistence.NON_NULL_NON_EMPTY,
            TypeCasts.uncheckedConversion(String.class),
            f -> f.withMarshaller(ClusterRequest::getClusterId, ClusterRequest::setClusterId));
        return builder.build();
    }
}
