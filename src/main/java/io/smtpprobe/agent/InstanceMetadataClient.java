package io.smtpprobe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smtpprobe.metrics.AzureVmLabels;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the VM's identity from the Azure instance metadata service
 * ({@code GET /metadata/instance?api-version=2021-02-01} with {@code Metadata: true}). The service
 * answers only from inside the VM and must not go through a proxy, so none is used whatever the
 * environment says. Nothing of the answer is used but the five labels of {@code smtp_probe_azure_vm_info}.
 */
public final class InstanceMetadataClient {
    public static final String PATH = "/metadata/instance?api-version=2021-02-01";
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** A real answer is a few kilobytes; a cap keeps a wrong endpoint from filling the heap. */
    static final int MAX_BYTES = 256 * 1024;

    private final URI uri;
    private final Duration timeout;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();

    /** @param endpoint {@code azure.metadata_endpoint}, e.g. {@code http://169.254.169.254} */
    public InstanceMetadataClient(URI endpoint, Duration timeout) {
        String base = endpoint.toString().replaceAll("/+$", "");
        this.uri = URI.create(base + PATH);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public URI uri() {
        return uri;
    }

    /** One request; an error names the endpoint and what went wrong. */
    public AzureVmLabels fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Metadata", "true").GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BYTES + 1);
        }
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode());
        }
        if (body.length > MAX_BYTES) {
            throw new IOException(uri + " answered more than " + MAX_BYTES + " bytes; is it the metadata service?");
        }
        JsonNode compute;
        try {
            compute = json.readTree(body).path("compute");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(uri + " did not answer JSON: " + e.getOriginalMessage(), e);
        }
        List<String> missing = new ArrayList<>();
        AzureVmLabels labels = new AzureVmLabels(text(compute, "subscriptionId", missing), text(compute, "vmId", missing),
                text(compute, "name", missing), text(compute, "resourceGroupName", missing),
                text(compute, "location", missing));
        if (!missing.isEmpty()) {
            throw new IOException(uri + " answered without compute." + String.join(", compute.", missing));
        }
        return labels;
    }

    private static String text(JsonNode compute, String field, List<String> missing) {
        JsonNode node = compute.path(field);
        if (!node.isTextual() || node.asText().isEmpty()) {
            missing.add(field);
            return "";
        }
        return node.asText();
    }
}
