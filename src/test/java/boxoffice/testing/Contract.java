package boxoffice.testing;

import boxoffice.http.HttpVerticle;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.mediatype.ContentAnalyser;
import io.vertx.openapi.mediatype.ContentAnalyserFactory;
import io.vertx.openapi.mediatype.MediaTypeRegistration;
import io.vertx.openapi.mediatype.MediaTypeRegistry;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The API's contract, {@code src/main/resources/openapi.yaml}, and the check that holds every exchange
 * of the tests with the service to it (with vertx-openapi):
 * <ul>
 *   <li>a request the contract accepts must get one of the answers its operation describes: status,
 *   headers, content type and body;</li>
 *   <li>a request the contract refuses (a hostile-input test's) must be refused: a 4xx the operation
 *   describes, so the service's own validation and the contract agree;</li>
 *   <li>a path or method outside the contract answers 404 or 405 with a problem; under the pages' file
 *   trees ({@code /ui/}, {@code /docs/}) anything goes but an error that is no problem;</li>
 *   <li>a 414 or 431, which the server answers before any route, comes only for a request line or
 *   headers over the service's limits, as a problem of its type ({@code uri-too-long},
 *   {@code headers-too-large}).</li>
 * </ul>
 * A departure fails the call that met it (its future fails with a {@link Mismatch} naming the call,
 * the operation and what departed) and is also kept for {@link ContractExtension}, which fails the
 * test that made it, however the test treated the failed call.
 */
public final class Contract {

  /** One request and its answer, as they went over the wire; the bodies may be null. */
  public record Exchange(HttpMethod method, String uri, MultiMap requestHeaders, Buffer requestBody,
                         int status, MultiMap responseHeaders, Buffer responseBody) {
  }

  /** An exchange that departs from the contract. */
  public static final class Mismatch extends AssertionError {
    Mismatch(String message) {
      super(message);
    }
  }

  /** Where the pages' own files are served: not API, not in the contract. */
  public static final List<String> FILE_TREES = List.of("/ui/", "/docs/");

  private static final String PROBLEM = "application/problem+json";
  private static final String SENT = "boxoffice.contract.sent";
  private static final List<Mismatch> MISMATCHES = new CopyOnWriteArrayList<>();

  /** Loaded at first use, apart from this class: its loading calls back into this class from other threads. */
  private static final class Loaded {
    static final Contract CONTRACT = load();
  }

  private final VertxInternal vertx;
  private final OpenAPIContract contract;
  private final RequestValidator requests;
  private final ResponseValidator responses;
  private final Validator problem;

  private Contract(Vertx vertx, OpenAPIContract contract) {
    this.vertx = (VertxInternal) vertx;
    this.contract = contract;
    this.requests = RequestValidator.create(vertx, contract);
    this.responses = ResponseValidator.create(vertx, contract);
    this.problem = validator(schema("Problem"));
  }

  public static Contract get() {
    return Loaded.CONTRACT;
  }

  /** The departures found since the last {@link #clear()}. */
  public static List<Mismatch> mismatches() {
    return List.copyOf(MISMATCHES);
  }

  public static void clear() {
    MISMATCHES.clear();
  }

  /** The contract as its own Vert.x reads it (its validators run on that Vert.x's worker threads). */
  private static Contract load() {
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = read(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture().get();
      return new Contract(vertx, contract);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("src/main/resources/openapi.yaml is no valid OpenAPI contract", e);
    }
  }

  /**
   * Reads a contract file (a path, or a name on the classpath) as the checks do: checked against the
   * OpenAPI schema of its version, with the media types the service answers.
   */
  public static Future<OpenAPIContract> read(Vertx vertx, String path) {
    MediaTypeRegistry media = MediaTypeRegistry.createEmpty()
      .register(MediaTypeRegistration.APPLICATION_JSON)
      .register(registration(PROBLEM, ContentAnalyserFactory.json()))
      // text the schemas describe as strings
      .register(registration("text/plain", Contract::text))
      .register(registration("text/html", Contract::text))
      .register(registration("text/event-stream", Contract::text))
      .register(registration("application/yaml", Contract::text));
    return OpenAPIContract.builder(vertx).setContractPath(path).mediaTypeRegistry(media).build();
  }

  public OpenAPIContract openApi() {
    return contract;
  }

  /**
   * Checks the exchange against the contract; a failed future (and a recorded mismatch) when the
   * service departed from it. Completes on the calling context, when there is one.
   */
  public Future<Void> check(Exchange exchange) {
    Context caller = Vertx.currentContext();
    // each check on a context of its own: the validators' work on worker threads is ordered by context,
    // and the checks of calls made at once must not wait for each other (a load would be slowed down)
    Promise<String> verdict = Promise.promise();
    vertx.createEventLoopContext().runOnContext(v -> Future.<String>succeededFuture()
      .compose(nothing -> verdict(exchange)) // (a check that throws fails the future, as a departure does)
      .onComplete(verdict));
    Future<Void> checked = verdict.future()
      .compose(departure -> departure == null ? Future.succeededFuture()
        : Future.failedFuture(record(describe(exchange) + ": " + departure)));
    if (caller == null) {
      return checked;
    }
    return checked.transform(result -> {
      Promise<Void> back = Promise.promise();
      caller.runOnContext(v -> back.handle(result));
      return back.future();
    });
  }

  /** What departs from the contract, or null. */
  private Future<String> verdict(Exchange exchange) {
    if (exchange.status() == 414 || exchange.status() == 431) {
      return Future.succeededFuture(unread(exchange));
    }
    QueryStringDecoder uri = new QueryStringDecoder(exchange.uri());
    Operation operation = contract.findOperation(uri.rawPath(), exchange.method());
    if (operation == null) {
      return Future.succeededFuture(outside(uri.rawPath(), exchange));
    }
    Future<String> refusal = requests.validate(request(operation, uri, exchange), operation.getOperationId())
      .map((String) null)
      .otherwise(Contract::reason);
    return refusal.compose(refused -> {
      if (refused != null && (exchange.status() < 400 || exchange.status() >= 500)) {
        return Future.succeededFuture("the contract refuses the request (" + refused + "), the service answered "
          + exchange.status());
      }
      String noBody = unexpectedBody(operation, exchange);
      if (noBody != null) {
        return Future.succeededFuture(noBody);
      }
      Buffer body = body(exchange);
      if (body != null && body.length() > 0 && exchange.responseHeaders().get("Content-Type") == null) {
        return Future.succeededFuture("answer " + exchange.status() + " has a body and no Content-Type");
      }
      return responses.validate(response(exchange), operation.getOperationId())
        .map((String) null)
        .otherwise(err -> "answer " + exchange.status() + ": " + reason(err));
    });
  }

  /** A path or method the contract does not have: 404 or 405, a problem; the pages' files anything but a bad error. */
  private String outside(String path, Exchange exchange) {
    boolean file = FILE_TREES.stream().anyMatch(path::startsWith);
    if (file && exchange.status() < 400) {
      return null;
    }
    if (!file && exchange.status() != 404 && exchange.status() != 405) {
      return "no operation of the contract has this path and method, yet the service answered " + exchange.status();
    }
    return problem(exchange, null);
  }

  /**
   * A request the server could not read, answered before any route, on any path: 414 only for a request
   * line over the service's limit, 431 only for headers over it, each a problem of its own type. The
   * headers counted are those the client set; it adds a few (Host), so the count is at most the server's.
   */
  private String unread(Exchange exchange) {
    boolean line = exchange.status() == 414;
    int size = line ? bytes(exchange.method().name() + " " + exchange.uri() + " HTTP/1.1")
      : exchange.requestHeaders().entries().stream().mapToInt(h -> bytes(h.getKey() + ": " + h.getValue())).sum();
    int limit = line ? HttpVerticle.MAX_REQUEST_LINE : HttpVerticle.MAX_HEADERS_BYTES;
    if (size <= limit) {
      return "answer " + exchange.status() + ", yet the request " + (line ? "line has " : "headers have ") + size
        + " bytes, within the service's limit of " + limit;
    }
    return problem(exchange, line ? "urn:boxoffice:problem:uri-too-long" : "urn:boxoffice:problem:headers-too-large");
  }

  private static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Whether the answer is a problem (of {@code type}, when not null); the departure, or null. */
  private String problem(Exchange exchange, String type) {
    if (!PROBLEM.equals(mediaType(exchange.responseHeaders().get("Content-Type")))) {
      return "answer " + exchange.status() + " is " + exchange.responseHeaders().get("Content-Type") + ", not " + PROBLEM;
    }
    JsonObject body;
    try {
      body = new JsonObject(body(exchange));
    } catch (DecodeException e) {
      return "answer " + exchange.status() + ": the problem is not JSON";
    }
    String invalid = invalid(problem, body, "answer " + exchange.status() + ": the problem");
    if (invalid != null) {
      return invalid;
    }
    if (body.getInteger("status") != exchange.status()) {
      return "answer " + exchange.status() + ": the problem's status is " + body.getInteger("status");
    }
    if (type != null && !type.equals(body.getString("type"))) {
      return "answer " + exchange.status() + ": the problem's type is " + body.getString("type") + ", not " + type;
    }
    return null;
  }

  /** A body where the contract's answer has none (a 204 with content, say). */
  private static String unexpectedBody(Operation operation, Exchange exchange) {
    Response declared = operation.getResponse(exchange.status());
    Buffer body = body(exchange);
    if (declared != null && declared.getContent().isEmpty() && body != null && body.length() > 0) {
      return "answer " + exchange.status() + " has a body, the contract's has none";
    }
    return null;
  }

  /** The items of a streamed answer, as its media type's {@code x-itemSchema} describes them. */
  public Function<JsonObject, String> items(HttpMethod method, String uri, String mediaType) {
    Operation operation = contract.findOperation(new QueryStringDecoder(uri).rawPath(), method);
    JsonObject schema = operation.getResponse(200).getContent().get(mediaType).getOpenAPIModel()
      .getJsonObject("x-itemSchema");
    Validator validator = validator(schema);
    return item -> {
      String departure = invalid(validator, item, "item");
      return departure == null ? null : record(method + " " + uri + " [" + operation.getOperationId() + "]: " + departure)
        .getMessage();
    };
  }

  private ValidatableRequestImpl request(Operation operation, QueryStringDecoder uri, Exchange exchange) {
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    String[] template = operation.getOpenAPIPath().split("/");
    String[] segments = uri.rawPath().split("/");
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      switch (parameter.getIn()) {
        case PATH -> {
          for (int i = 0; i < template.length && i < segments.length; i++) {
            if (template[i].equals("{" + name + "}")) {
              path.put(name, new RequestParameterImpl(decode(segments[i])));
            }
          }
        }
        case QUERY -> {
          List<String> values = uri.parameters().get(name);
          query.put(name, new RequestParameterImpl(values == null ? null : values.get(0)));
        }
        case HEADER -> headers.put(name, new RequestParameterImpl(exchange.requestHeaders().get(name)));
        default -> throw new IllegalStateException("the contract has a " + parameter.getIn() + " parameter");
      }
    }
    return new ValidatableRequestImpl(Map.of(), headers, path, query,
      new RequestParameterImpl(exchange.requestBody()), exchange.requestHeaders().get("Content-Type"));
  }

  private static ValidatableResponse response(Exchange exchange) {
    Map<String, String> headers = new HashMap<>();
    exchange.responseHeaders().names().forEach(name -> headers.put(name, exchange.responseHeaders().get(name)));
    Buffer body = body(exchange);
    return body == null || body.length() == 0
      ? ValidatableResponse.create(exchange.status(), headers)
      : ValidatableResponse.create(exchange.status(), headers, body,
        mediaType(exchange.responseHeaders().get("Content-Type")));
  }

  /** The answer's body as sent before compression. */
  private static Buffer body(Exchange exchange) {
    String encoding = exchange.responseHeaders().get("Content-Encoding");
    Buffer body = exchange.responseBody();
    if (body == null || encoding == null || encoding.equals("identity")) {
      return body;
    }
    try (InputStream in = encoding.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))
      : new InflaterInputStream(new ByteArrayInputStream(body.getBytes()))) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("the answer's " + encoding + " body cannot be read", e);
    }
  }

  /** {@code text/plain; charset=utf-8} -> {@code text/plain}; the contract names media types without parameters. */
  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment; // malformed escapes stay as they are: the id pattern refuses them
    }
  }

  private JsonObject schema(String name) {
    return contract.getRawContract().getJsonObject("components").getJsonObject("schemas").getJsonObject(name);
  }

  private Validator validator(JsonObject schema) {
    return contract.getSchemaRepository().validator(JsonSchema.of(schema));
  }

  /** Why {@code value} departs from a schema of the contract (as read, its references resolved), or null. */
  public String whyInvalid(JsonObject schema, Object value) {
    return invalid(validator(schema), value, "the value");
  }

  /** Why {@code value} departs from the schema, or null. */
  private static String invalid(Validator validator, Object value, String what) {
    OutputUnit result = validator.validate(value);
    return Boolean.TRUE.equals(result.getValid()) ? null : what + " is invalid: " + errors(result);
  }

  /** A validator's verdict, with every error the schema found, each with the field it found it at. */
  private static String reason(Throwable failure) {
    return failure instanceof SchemaValidationException invalid && invalid.getOutputUnit() != null
      ? failure.getMessage().replaceFirst(" Reason: .*", "") + " " + errors(invalid.getOutputUnit())
      : failure.getMessage();
  }

  private static String errors(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result) : result.getErrors();
    return errors.stream().map(e -> e.getError() + " at " + e.getInstanceLocation()).distinct()
      .collect(Collectors.joining("; "));
  }

  private String describe(Exchange exchange) {
    QueryStringDecoder uri = new QueryStringDecoder(exchange.uri());
    Operation operation = contract.findOperation(uri.rawPath(), exchange.method());
    return exchange.method() + " " + exchange.uri()
      + (operation == null ? "" : " [" + operation.getOperationId() + ": " + operation.getHttpMethod() + " "
        + operation.getOpenAPIPath() + "]");
  }

  /** Keeps a departure found outside this class (one the schemas cannot tell), for the test that made it. */
  public static Mismatch departure(String message) {
    return record(message);
  }

  private static Mismatch record(String message) {
    Mismatch mismatch = new Mismatch(message);
    MISMATCHES.add(mismatch);
    return mismatch;
  }

  /** Holds every exchange of this client to the contract: a departure fails the call. */
  public static void watch(WebClient client) {
    get(); // loaded here, not on the client's event loop
    ((WebClientInternal) client).addInterceptor(Contract::intercept);
  }

  /** A request as a client sent it, kept until its answer comes. */
  private record Sent(HttpMethod method, String uri, MultiMap headers, Buffer body) {
  }

  private static void intercept(HttpContext<?> ctx) {
    switch (ctx.phase()) {
      // the request as it goes (after redirects, the last one), its body already encoded
      case CREATE_REQUEST -> ctx.set(SENT, new Sent(ctx.requestOptions().getMethod(), ctx.requestOptions().getURI(),
        MultiMap.caseInsensitiveMultiMap().addAll(ctx.requestOptions().getHeaders()),
        ctx.body() instanceof Buffer body ? body : null));
      case DISPATCH_RESPONSE -> {
        Sent sent = ctx.get(SENT);
        Object body = ctx.response().body();
        Exchange exchange = new Exchange(sent.method(), sent.uri(), sent.headers(), sent.body(),
          ctx.response().statusCode(), ctx.response().headers(), body instanceof Buffer buffer ? buffer : null);
        get().check(exchange).onComplete(checked -> {
          if (checked.succeeded()) {
            ctx.next();
          } else {
            ctx.fail(checked.cause());
          }
        });
        return;
      }
      default -> {
      }
    }
    ctx.next();
  }

  private static MediaTypeRegistration registration(String type, ContentAnalyserFactory analyser) {
    return new MediaTypeRegistration() {
      @Override
      public ContentAnalyser createContentAnalyser(String contentType, Buffer content, ValidationContext context) {
        return analyser.create(contentType, content, context);
      }

      @Override
      public boolean canHandle(String mediaType) {
        return type.equals(mediaType(mediaType));
      }

      @Override
      public List<String> supportedTypes() {
        return List.of(type);
      }
    };
  }

  /** A body the schemas see as the text it is. */
  private static ContentAnalyser text(String contentType, Buffer content, ValidationContext context) {
    return new ContentAnalyser() {
      @Override
      public void checkSyntacticalCorrectness() {
      }

      @Override
      public Object transform() {
        return content.toString(StandardCharsets.UTF_8);
      }
    };
  }
}
