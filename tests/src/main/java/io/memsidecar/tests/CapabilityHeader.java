package io.memsidecar.tests;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** The capability header on every call of a channel, as clients of the contract send it. */
public final class CapabilityHeader {
    public static final Metadata.Key<String> KEY =
            Metadata.Key.of("x-memsidecar-capability", Metadata.ASCII_STRING_MARSHALLER);

    private CapabilityHeader() {
    }

    /** {@code channel} sending {@code value} verbatim (e.g. {@code "Bearer " + token}); no header when null. */
    public static Channel attach(Channel channel, String value) {
        var headers = new Metadata();
        if (value != null) {
            headers.put(KEY, value);
        }
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
