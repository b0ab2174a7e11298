package saelab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's security rules (see {@link DashboardServer}), checked with raw requests a browser or an attacker could send. */
class DashboardServerSecurityTest {

    private static DashboardServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        server = DashboardServer.start(ServedRun.ofRun(WebFixtures.demoRun()), DashboardServer.Options.defaults());
        port = server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void listensOnLoopbackOnly() throws Exception {
        assertEquals("127.0.0.1", server.url().getHost());
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            for (InetAddress a : nic.inetAddresses().toList()) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    assertThrows(java.net.ConnectException.class, () -> new Socket(a, port).close(), "reachable at " + a);
                }
            }
        }
    }

    @Test
    void refusesForeignHostHeadersAndAcceptsLoopbackNames() throws Exception {
        for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port, "localhost.evil:" + port)) {
            RawHttp.Answer a = RawHttp.send(port, "GET", "/api/sets", host, null, null);
            assertEquals(403, a.status(), host);
            assertTrue(a.body().contains("is not a loopback name"), a.body());
        }
        assertEquals(400, RawHttp.send(port, "GET", "/api/sets", null, null, null).status(), "HTTP/1.1 without Host (Jetty's rule)");
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port)) {
            assertEquals(200, RawHttp.send(port, "GET", "/api/sets", host, null, null).status(), host);
        }
    }

    @Test
    void everyAnswerCarriesTheStrictPolicyAndNoCorsHeaders() throws Exception {
        for (String target : List.of("/", "/feature-map.html", "/js/feature-map.js", "/api/sets", "/api/sets/nope/map",
                "/webjars/d3/7.9.0/dist/d3.min.js")) {
            RawHttp.Answer a = RawHttp.send(port, "GET", target, "127.0.0.1:" + port, null, null);
            assertTrue(a.head().contains("Content-Security-Policy: " + DashboardServer.CSP), target + "\n" + a.head());
            assertTrue(a.hasHeader("X-Content-Type-Options"), target);
            assertFalse(a.hasHeader("Access-Control-Allow-Origin"), target);
        }
        RawHttp.Answer withOrigin = RawHttp.send(port, "OPTIONS", "/api/sets", "127.0.0.1:" + port, null, null);
        assertFalse(withOrigin.hasHeader("Access-Control-Allow-Origin"));
    }

    @Test
    void encodedTraversalsNeverReachAFileOutsideTheRun() throws Exception {
        for (String target : List.of("/..%2f..%2f..%2f..%2fetc%2fpasswd", "/css/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
                "/webjars/..%2f..%2f..%2f..%2fetc%2fpasswd", "/api/sets/..%2f..%2f..%2fetc/map",
                "/api/sets/clip-patch/latents/0/top/..%2f..%2f..%2f..%2fetc%2fpasswd",
                "/api/sets/clip-patch/latents/..%2f1/top/0.png", "/%2e%2e/%2e%2e/etc/passwd", "/..;/..;/etc/passwd",
                "/api/sets/clip-patch%00/map")) {
            RawHttp.Answer a = RawHttp.get(port, target);
            assertTrue(a.status() == 400 || a.status() == 404, target + " gave " + a.status());
            assertFalse(a.body().contains("root:"), target);
        }
    }

    @Test
    void bodiesMustBeJsonAndSmall() throws Exception {
        RawHttp.Answer form = RawHttp.send(port, "POST", "/api/sets", "127.0.0.1:" + port, "application/x-www-form-urlencoded", "a=1");
        assertEquals(415, form.status());
        assertTrue(form.body().contains("needs Content-Type application/json"), form.body());
        RawHttp.Answer big = RawHttp.send(port, "POST", "/api/sets", "127.0.0.1:" + port, "application/json",
                "\"" + "x".repeat((int) DashboardServer.MAX_BODY_BYTES + 10) + "\"");
        assertEquals(413, big.status());
    }

    @Test
    void badParametersGetOneSentence() throws Exception {
        RawHttp.Answer notNumber = RawHttp.get(port, "/api/sets/clip-patch/latents/abc");
        assertEquals(400, notNumber.status());
        assertTrue(notNumber.body().contains("path parameter 'latent' is 'abc'; expected a non-negative integer"), notNumber.body());
        RawHttp.Answer outside = RawHttp.get(port, "/api/sets/clip-patch/latents/999999");
        assertEquals(400, outside.status());
        assertTrue(outside.body().contains("latent 999999 was not analysed in clip-patch"), outside.body());
        RawHttp.Answer unknown = RawHttp.get(port, "/api/sets/siglip-patch/map");
        assertEquals(404, unknown.status());
        assertTrue(unknown.body().contains("no feature set 'siglip-patch' in this run"), unknown.body());
        RawHttp.Answer rank = RawHttp.get(port, "/api/sets/clip-patch/latents/0/top/9999.png");
        assertTrue(rank.status() == 400, rank.body());
        assertFalse(rank.body().contains("Exception"), rank.body());
    }
}
