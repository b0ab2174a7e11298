package saelab.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for the security tests: unlike java.net.http it sends exactly the request line and
 * headers given (a foreign Host header, an encoded traversal the client would otherwise normalise).
 */
final class RawHttp {

    /** Status line's code, headers and body of one answer. */
    record Answer(int status, String head, String body) {
        boolean hasHeader(String name) {
            return head.toLowerCase(java.util.Locale.ROOT).contains("\r\n" + name.toLowerCase(java.util.Locale.ROOT) + ":");
        }
    }

    private RawHttp() {}

    static Answer send(int port, String method, String target, String host, String contentType, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            if (host != null) {
                req.append("Host: ").append(host).append("\r\n");
            }
            if (contentType != null) {
                req.append("Content-Type: ").append(contentType).append("\r\n");
            }
            if (body != null) {
                req.append("Content-Length: ").append(payload.length).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String rest = split < 0 ? "" : text.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Answer(status, head, rest);
        }
    }

    static Answer get(int port, String target) throws IOException {
        return send(port, "GET", target, "127.0.0.1:" + port, null, null);
    }
}
