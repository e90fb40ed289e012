package boxoffice.http;

import boxoffice.Config;
import boxoffice.testing.Contract;
import boxoffice.testing.ServiceTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract the service serves, and the routes it describes: every route the router has, and no other. */
class ContractTest extends ServiceTest {

  @Test
  void theServiceServesItsContractWhichOpenApiToolsAccept() throws IOException {
    HttpResponse<Buffer> served = api.get("/openapi.yaml").await();
    assertEquals(200, served.statusCode());
    assertEquals("application/yaml", served.getHeader("Content-Type"));
    try (InputStream file = getClass().getClassLoader().getResourceAsStream(ApiDocs.CONTRACT)) {
      assertArrayEquals(file.readAllBytes(), served.body().getBytes(), "the file in the jar, as it is");
    }
    // vertx-openapi checks a contract against the OpenAPI 3.1 schema (2022-10-07) before it reads it
    Path copy = Files.createTempFile("openapi", ".yaml");
    try {
      Files.write(copy, served.body().getBytes());
      OpenAPIContract contract = Contract.read(vertx, copy.toString()).await();
      assertEquals("3.1.0", contract.getRawContract().getString("openapi"));
    } finally {
      Files.delete(copy);
    }
  }

  /** The examples are real answers and requests: each must keep to the schema it illustrates. */
  @Test
  void everyExampleKeepsToItsSchema() {
    List<String> wrong = new ArrayList<>();
    int[] checked = {0};
    examples(Contract.get().openApi().getRawContract(), "#", (where, schema, example) -> {
      checked[0]++;
      String departure = Contract.get().whyInvalid(schema, plain(example));
      if (departure != null) {
        wrong.add(where + ": " + departure);
      }
    });
    assertEquals(List.of(), wrong);
    assertTrue(checked[0] > 40, checked[0] + " examples");
  }

  /** The example as written: the contract's reader marks every object with annotations of its own ("__...__"). */
  private static Object plain(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject copy = new JsonObject();
      object.forEach(member -> {
        if (!(member.getKey().startsWith("__") && member.getKey().endsWith("__"))) {
          copy.put(member.getKey(), plain(member.getValue()));
        }
      });
      return copy;
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(plain(item)));
      return copy;
    }
    return value;
  }

  private interface ExampleVisitor {
    void visit(String where, JsonObject schema, Object example);
  }

  /**
   * Every example of the contract with its schema: a parameter's or media type's {@code example} or
   * {@code examples} against its {@code schema}, a schema's own {@code example} against that schema.
   */
  private static void examples(JsonObject node, String where, ExampleVisitor visitor) {
    JsonObject schema = node.getValue("schema") instanceof JsonObject own ? own : node;
    if (node.containsKey("example")) {
      visitor.visit(where + "/example", schema, node.getValue("example"));
    }
    if (node.getValue("examples") instanceof JsonObject named && node.containsKey("schema")) {
      named.forEach(example -> {
        if (example.getValue() instanceof JsonObject one) { // (the reader adds annotations of its own, as text)
          visitor.visit(where + "/examples/" + example.getKey(), schema, one.getValue("value"));
        }
      });
    }
    node.forEach(member -> {
      if (!member.getKey().equals("example") && !member.getKey().equals("examples")
        && member.getValue() instanceof JsonObject child) {
        examples(child, where + "/" + member.getKey(), visitor);
      }
    });
  }

  @Test
  void everyRouteIsInTheContractAndEveryOperationIsARoute() {
    HttpVerticle http = new HttpVerticle(Config.fromJson(config(cluster)), new HttpVerticle.Shared(Config.fromJson(config(cluster))));
    http.init(vertx, vertx.getOrCreateContext());
    Set<String> routes = new TreeSet<>();
    List<String> fileTrees = new ArrayList<>();
    for (Route route : http.router().getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty()) {
        // any method: only the pages' files may be served that way, and they are no API
        fileTrees.add(route.getPath());
        assertTrue(Contract.FILE_TREES.contains(route.getPath()), route.getPath() + " takes every method");
        continue;
      }
      route.methods().forEach(method -> routes.add(method + " " + route.getPath()));
    }
    Set<String> operations = new TreeSet<>();
    Contract.get().openApi().operations().forEach(operation -> operations.add(operation.getHttpMethod() + " "
      + operation.getOpenAPIPath().replaceAll("\\{([^}]+)}", ":$1")));
    assertEquals(operations, routes);
    assertEquals(Set.copyOf(Contract.FILE_TREES), Set.copyOf(fileTrees));
  }

  @Test
  void theDocsAreServedFromTheJarUnderThePagesPolicy() {
    HttpResponse<Buffer> page = api.get("/docs").await();
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("/docs/swagger-ui-bundle.js"), page.bodyAsString());
    assertTrue(page.bodyAsString().contains("/docs/docs.js"), page.bodyAsString());
    assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'", page.getHeader("Content-Security-Policy"));
    for (String file : List.of("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/docs.js")) {
      HttpResponse<Buffer> served = api.get(file).await();
      assertEquals(200, served.statusCode(), file);
      assertTrue(served.body().length() > 100, file);
    }
    assertTrue(api.get("/docs/docs.js").await().bodyAsString().contains("url: '/openapi.yaml'"));
    assertEquals(404, api.request(HttpMethod.GET, "/docs/nothing.js").send().await().statusCode());
  }
}
