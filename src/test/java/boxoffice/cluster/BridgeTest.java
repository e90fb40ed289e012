package boxoffice.cluster;

import boxoffice.testing.EventState;
import boxoffice.testing.ServiceTest;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program that is not on the JVM, speaking the TCP bridge's framing over a plain socket (a 4-byte
 * big-endian length, then a JSON object): it receives domain events, calls the read commands, and
 * is refused everything else.
 */
class BridgeTest extends ServiceTest {

  private final int bridgePort = TestService.freePort();

  @Override
  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster).put("bridge", new JsonObject().put("port", bridgePort));
  }

  @Test
  void aPlainSocketReceivesDomainEventsAndMayOnlyRead() throws IOException {
    api.createEvent("bridged", 1, 4, 900);
    try (Socket socket = new Socket("127.0.0.1", bridgePort)) {
      socket.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());

      write(out, new JsonObject().put("type", "register").put("address", "boxoffice.reservation.created"));
      // registration has no answer: a ping right after proves it was taken before the hold below
      write(out, new JsonObject().put("type", "ping"));
      JsonObject pong = read(in);
      assertEquals("pong", pong.getString("type"), pong.encode());
      String rid = api.holdQuantity("bridged", "ann", 2).await().bodyAsJsonObject().getString("reservationId");
      JsonObject created = read(in);
      assertEquals("message", created.getString("type"), created.encode());
      assertEquals("boxoffice.reservation.created", created.getString("address"));
      assertEquals(rid, created.getJsonObject("body").getString("reservationId"));
      assertEquals("reservation.created", created.getJsonObject("body").getString("type"));

      write(out, new JsonObject().put("type", "send").put("address", "boxoffice.event.get").put("replyAddress", "r1")
        .put("body", new JsonObject().put("eventId", "bridged")));
      JsonObject event = read(in);
      assertEquals("r1", event.getString("address"), event.encode());
      assertEquals(2, event.getJsonObject("body").getInteger("held"));

      write(out, new JsonObject().put("type", "send").put("address", "boxoffice.reservation.get").put("replyAddress", "r2")
        .put("body", new JsonObject().put("eventId", "bridged").put("reservationId", "AAAAAAAAAAAAAAAAAAAAAA")));
      JsonObject missing = read(in);
      assertEquals("err", missing.getString("type"), missing.encode());
      assertEquals(3, missing.getInteger("failureCode"), "not found, as on the event bus: " + missing);

      EventState before = EventState.read(vertx, cluster, "bridged");
      write(out, new JsonObject().put("type", "send").put("address", "boxoffice.reservation.hold").put("replyAddress", "r3")
        .put("body", new JsonObject().put("eventId", "bridged").put("userId", "bob").put("quantity", 1)));
      JsonObject refused = read(in);
      assertEquals("err", refused.getString("type"), refused.encode());
      assertEquals("access_denied", refused.getString("message"));
      write(out, new JsonObject().put("type", "register").put("address", "boxoffice.feed.event.bridged"));
      assertEquals("access_denied", read(in).getString("message"), "no listening to the process's own feeds");
      assertEquals(before.seats(), EventState.read(vertx, cluster, "bridged").seats(), "nothing was held");
    }
  }

  private static void write(DataOutputStream out, JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  private static JsonObject read(DataInputStream in) throws IOException {
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    JsonObject frame = new JsonObject(new String(json, StandardCharsets.UTF_8));
    assertTrue(frame.containsKey("type"), frame.encode());
    return frame;
  }
}
