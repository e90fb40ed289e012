package boxoffice.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Fails a test whose calls met answers (or requests) that depart from the API's contract, whether or
 * not the test looked at the failed call (a load generator counts it and goes on). Registered for
 * every test (src/test/resources/META-INF/services, with JUnit's extension autodetection), so a new
 * test is held to the contract without asking.
 */
public final class ContractExtension implements BeforeEachCallback, AfterEachCallback {

  @Override
  public void beforeEach(ExtensionContext context) {
    Contract.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<Contract.Mismatch> mismatches = Contract.mismatches();
    Contract.clear();
    if (!mismatches.isEmpty()) {
      throw new AssertionError(mismatches.size() + " exchanges departed from src/main/resources/openapi.yaml:\n  "
        + mismatches.stream().map(Throwable::getMessage).distinct().collect(Collectors.joining("\n  ")));
    }
  }
}
