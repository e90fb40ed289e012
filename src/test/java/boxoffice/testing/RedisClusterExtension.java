package boxoffice.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the run's one {@link TestCluster}: started by the first test class that needs it,
 * flushed before each test, made whole again after it (the nodes it killed come back as replicas),
 * stopped when the run ends. Inject it as a test or lifecycle parameter.
 */
public final class RedisClusterExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  static TestCluster cluster(ExtensionContext context) {
    return TestCluster.shared();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    cluster(context).flush();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    cluster(context).restore();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context);
  }
}
