package boxoffice.reservation;

import boxoffice.bus.RenderedJson;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The rendered seat maps of a process stay within their bytes, whoever puts them, the least read dropped first. */
class KeptSeatMapsTest {

  @Test
  void keepsAtMostItsBytesDroppingTheLeastRecentlyRead() {
    SeatMaps.Kept kept = new SeatMaps.Kept(1000);
    kept.put("a", map(400));
    kept.put("b", map(400));
    assertNotNull(kept.get("a")); // read: b is now the least recently read
    kept.put("c", map(400));
    assertEquals(800, kept.used());
    assertNull(kept.get("b"));
    assertNotNull(kept.get("a"));
    assertNotNull(kept.get("c"));
    kept.put("a", map(100)); // a new version replaces the old one's bytes
    assertEquals(500, kept.used());
  }

  private static SeatMaps.Rendered map(int bytes) {
    return new SeatMaps.Rendered("1-0", new RenderedJson(Buffer.buffer(new byte[bytes])));
  }
}
