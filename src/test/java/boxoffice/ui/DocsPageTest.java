package boxoffice.ui;

import boxoffice.testing.Browser;
import boxoffice.testing.BrowserTest;
import boxoffice.testing.Contract;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /docs in a real browser: Swagger UI, from the jar, renders the service's contract (every operation
 * of it) under the pages' policy, and calls the service from the page.
 */
class DocsPageTest extends BrowserTest {

  /** "GET /events/{eventId}"... as the page lists them (read in one step). */
  @SuppressWarnings("unchecked")
  private static Set<String> operations(Browser page) {
    return new TreeSet<>((List<String>) page.js("return [...document.querySelectorAll('.opblock-summary')].map(s =>"
      + " s.querySelector('.opblock-summary-method').innerText + ' ' + s.querySelector('.opblock-summary-path').dataset.path)"));
  }

  @Test
  void theDocsRenderTheContractAndTryItsCalls() {
    Set<String> contract = new TreeSet<>();
    Contract.get().openApi().operations().forEach(operation ->
      contract.add(operation.getHttpMethod() + " " + operation.getOpenAPIPath()));

    Browser page = browser().go("/docs");
    page.await("the contract is rendered", Duration.ofSeconds(20), b -> operations(b).size() == contract.size());
    assertEquals(contract, operations(page));
    assertTrue(page.text(".swagger-ui .info .title").startsWith("Boxoffice"), page.text(".swagger-ui .info .title"));

    // an operation opens with its answers, and the page calls the service itself (connect-src 'self')
    String live = ".opblock:has(.opblock-summary-path[data-path='/health/live'])";
    page.find(live + " .opblock-summary-control").click();
    page.await("the operation is open", b -> !b.findAll(live + " .try-out__btn").isEmpty());
    page.find(live + " .try-out__btn").click();
    page.await("the call can be made", b -> !b.findAll(live + " .execute").isEmpty());
    page.find(live + " .execute").click();
    page.await("the service answered", b -> "200".equals(b.text(live + " .live-responses-table tbody .response-col_status")));
    page.js("arguments[0].scrollIntoView()", page.find(live + " .live-responses-table"));
    assertTrue(page.text(live + " .live-responses-table").contains("\"status\": \"UP\""),
      page.text(live + " .live-responses-table"));
  }
}
