package boxoffice.http;

import boxoffice.testing.ServiceTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pages as files: where they are, and the policy they come with. */
class PagesTest extends ServiceTest {

  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private HttpResponse<Buffer> get(String path, String acceptEncoding) {
    var request = api.request(HttpMethod.GET, path).followRedirects(false);
    if (acceptEncoding != null) {
      request.putHeader("Accept-Encoding", acceptEncoding);
    }
    return request.send().await();
  }

  @Test
  void theRootLeadsToThePagesWhichComeWithTheirPolicy() {
    HttpResponse<Buffer> root = get("/", null);
    assertEquals(302, root.statusCode());
    assertEquals("/ui/", root.getHeader("Location"));

    HttpResponse<Buffer> list = get("/ui/", null);
    assertEquals(200, list.statusCode());
    assertTrue(list.getHeader("Content-Type").startsWith("text/html"));
    assertTrue(list.bodyAsString().contains("/ui/js/list-page.js"));
    assertEquals(POLICY, list.getHeader("Content-Security-Policy"));
    assertEquals("nosniff", list.getHeader("X-Content-Type-Options"));

    // a deep link is the event page itself, whatever the event; the page asks the API for it
    for (String path : List.of("/ui/events/gala", "/ui/events/no-such-event")) {
      HttpResponse<Buffer> page = get(path, null);
      assertEquals(200, page.statusCode(), path);
      assertTrue(page.bodyAsString().contains("/ui/js/event-page.js"), path);
      assertEquals(POLICY, page.getHeader("Content-Security-Policy"));
    }
    HttpResponse<Buffer> script = get("/ui/js/seatmap.js", null);
    assertEquals(200, script.statusCode());
    assertTrue(script.getHeader("Content-Type").startsWith("text/javascript"), script.getHeader("Content-Type"));
    assertEquals(404, get("/ui/js/nothing.js", null).statusCode());
    assertEquals("application/problem+json", get("/ui/js/nothing.js", null).getHeader("Content-Type"));
  }

  @Test
  void pagesInsertNothingAsHtml() {
    // names and venues are user input: the scripts never hand API text to the HTML parser
    for (String file : List.of("api.js", "dom.js", "feed.js", "seatmap.js", "buyer.js", "event-page.js", "list-page.js")) {
      String source = get("/ui/js/" + file, null).bodyAsString();
      assertFalse(source.isEmpty(), file);
      for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
        assertFalse(source.contains(sink), file + " uses " + sink);
      }
    }
  }
}
