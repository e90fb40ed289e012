package boxoffice.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The API's contract, {@code /openapi.yaml} (src/main/resources/openapi.yaml). */
final class ApiDocs {

  static final String CONTRACT = "openapi.yaml";

  private ApiDocs() {
  }

  static void mount(Router router) {
    // read from the jar once: a file of that name in the working directory must not stand in for it
    Buffer contract = Buffer.buffer(read(CONTRACT));
    router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml")
      .end(contract));
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
