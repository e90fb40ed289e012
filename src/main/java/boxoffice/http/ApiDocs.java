package boxoffice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CSPHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The API's contract, {@code /openapi.yaml} (src/main/resources/openapi.yaml), and {@code /docs}, the
 * contract in Swagger UI: its bundle comes from its webjar in the jar, and a script file of ours
 * starts it (the pages' policy allows no inline script). Nothing is loaded from elsewhere.
 */
final class ApiDocs {

  static final String CONTRACT = "openapi.yaml";
  private static final String SWAGGER_UI = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

  private ApiDocs() {
  }

  static void mount(Router router) {
    // read from the jar once: a file of that name in the working directory must not stand in for it
    Buffer contract = Buffer.buffer(read(CONTRACT));
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml")
      .end(contract));
    // Swagger UI's stylesheet draws its icons from data: URIs
    CSPHandler policy = Pages.policy().setDirective("img-src", "'self' data:");
    router.get("/docs").handler(ctx -> ctx.reroute("/docs/index.html"));
    router.route("/docs/*").handler(policy).handler(Pages::noSniffing)
      .handler(Pages.files("docs"))
      .handler(Pages.files("META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion()));
  }

  /** The webjar keeps its files under its version, which its pom.properties tells. */
  private static String swaggerUiVersion() {
    Properties webjar = new Properties();
    try (InputStream in = resource(SWAGGER_UI)) {
      webjar.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return webjar.getProperty("version");
  }

  private static byte[] read(String name) {
    try (InputStream in = resource(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is missing from the classpath");
    }
    return in;
  }
}
