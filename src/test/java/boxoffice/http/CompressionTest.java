package boxoffice.http;

import boxoffice.testing.ServiceTest;
import boxoffice.testing.SseClient;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Answers are compressed when the client accepts it and they are worth it; the live feed never is. */
class CompressionTest extends ServiceTest {

  private HttpResponse<Buffer> get(String path, String acceptEncoding) {
    var request = api.request(HttpMethod.GET, path);
    if (acceptEncoding != null) {
      request.putHeader("Accept-Encoding", acceptEncoding);
    }
    return request.send().await();
  }

  @Test
  void largeAnswersAreCompressedForClientsThatAcceptIt() throws IOException {
    api.createEvent("hall", 100, 100, 900);
    HttpResponse<Buffer> plain = get("/events/hall/seats", null);
    assertNull(plain.getHeader("Content-Encoding"));
    HttpResponse<Buffer> gzipped = get("/events/hall/seats", "gzip, deflate");
    assertEquals("gzip", gzipped.getHeader("Content-Encoding"));
    assertTrue(gzipped.body().length() * 5 < plain.body().length(),
      "compressed " + gzipped.body().length() + " of " + plain.body().length() + " bytes");
    assertEquals(plain.bodyAsJsonObject(), new JsonObject(Buffer.buffer(gunzip(gzipped.body().getBytes()))));

    // small answers are not worth it
    assertNull(get("/events/hall", "gzip").getHeader("Content-Encoding"));
    // a page of events is JSON as well
    for (int i = 0; i < 20; i++) {
      api.createEvent("more" + i, 1, 5, 900);
    }
    HttpResponse<Buffer> list = get("/events?limit=100", "gzip");
    assertEquals("gzip", list.getHeader("Content-Encoding"));
    assertEquals(21, new JsonObject(Buffer.buffer(gunzip(list.body().getBytes()))).getJsonArray("events").size());
  }

  @Test
  void theChangeFeedIsNeverCompressed() throws Exception {
    api.createEvent("live", 1, 5, 900);
    SseClient feed = SseClient.connectWith(vertx, app.httpPort(), "live",
      MultiMap.caseInsensitiveMultiMap().add("Accept-Encoding", "gzip, deflate"));
    try {
      assertEquals(200, feed.status());
      assertNull(feed.header("Content-Encoding"));
      assertEquals(201, api.hold("live", "ann", List.of("A1")).await().statusCode());
      assertEquals("reservation.created", feed.await(1, 5_000).get(0).type());
    } finally {
      feed.close();
    }
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
