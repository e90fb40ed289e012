package boxoffice.k6;

import boxoffice.testing.ContractProxy;
import boxoffice.testing.ServiceTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The k6 scenarios (k6/*.js, k6/lib/boxoffice.js) against the service, through a proxy that holds each
 * of their requests, and the service's answers, to the API's contract. k6 cannot be installed here: each
 * scenario runs once, briefly, in k6/tools/dry-run.mjs (node, and curl for the requests), which also
 * fails on the scenario's own checks and thresholds.
 */
class ScenariosTest extends ServiceTest {

  private static final Path K6 = Path.of("k6");

  @ParameterizedTest
  @ValueSource(strings = {"smoke.js", "flash-sale.js", "steady.js", "waitlist.js", "spike.js"})
  void theScenarioKeepsToTheContract(String script) throws IOException, InterruptedException {
    assertTrue(Files.isRegularFile(K6.resolve(script)), "no k6/" + script);
    ContractProxy proxy = ContractProxy.start(vertx, app.httpPort());
    Path out = Files.createTempFile("k6-dry-run", ".log");
    try {
      ProcessBuilder node = new ProcessBuilder("node", "tools/dry-run.mjs", script).directory(K6.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile());
      node.environment().put("BASE_URL", "http://127.0.0.1:" + proxy.port());
      // the services the tests start keep no metrics: /metrics answers 404 (as the contract says it may)
      node.environment().put("SMOKE_SKIP", "metrics");
      Process run;
      try {
        run = node.start();
      } catch (IOException e) {
        throw new AssertionError("node is needed to run the k6 scenarios (scripts/require-node.sh installs it)", e);
      }
      if (!run.waitFor(3, TimeUnit.MINUTES)) {
        run.destroyForcibly();
        throw new AssertionError("k6/" + script + " did not end within 3 minutes:\n" + Files.readString(out));
      }
      String log = Files.readString(out);
      assertEquals(0, run.exitValue(), "k6/" + script + " failed its dry run:\n" + log);
      assertTrue(log.contains("requests: ") && !log.contains("requests: 0 "), "k6/" + script + " sent no request:\n" + log);
    } finally {
      proxy.close();
      Files.deleteIfExists(out);
    }
  }
}
