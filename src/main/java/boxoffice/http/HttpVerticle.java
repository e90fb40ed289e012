package boxoffice.http;

import boxoffice.Config;
import boxoffice.bus.Addresses;
import boxoffice.bus.RenderedJson;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * The HTTP/JSON API of the service. It validates requests and sends commands on the event bus; it never
 * calls Redis itself.
 */
public final class HttpVerticle extends VerticleBase {

  /** The port the servers of all instances listen on, known once the first one listens. */
  public static final class Port {
    private volatile int actual;

    public int actual() {
      return actual;
    }
  }

  static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int COMPRESS_FROM_BYTES = 1024;
  private static final String JSON = "application/json";
  private static final Buffer LIVE = Buffer.buffer("{\"status\":\"UP\"}");

  private final Config config;
  private final Port port;
  /** Commands are served in this process, also when it is a member of a cluster: no network hop. */
  private final DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(10_000).setLocalOnly(true);
  private HttpServer server;

  public HttpVerticle(Config config, Port port) {
    this.config = config;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    // compressed when the client accepts it (a 100,000-seat map is about 2 MB of JSON, a sixth of that gzipped);
    // small answers, such as a hold's, are not worth the time
    HttpServerOptions options = new HttpServerOptions().setPort(config.httpPort()).setTcpNoDelay(true)
      .setCompressionSupported(true).setCompressionContentSizeThreshold(COMPRESS_FROM_BYTES);
    return vertx.createHttpServer(options)
      .requestHandler(router())
      .listen()
      .onSuccess(listening -> {
        server = listening;
        port.actual = listening.actualPort();
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(Duration.ofSeconds(5));
  }

  /** Every route of the service; package-private for the test that holds them to the contract. */
  Router router() {
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);

    router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", JSON).end(LIVE));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(boxoffice.metrics.PrometheusEndpoint::handle);
    Pages.mount(router);
    ApiDocs.mount(router);

    router.post("/events").consumes(JSON).handler(body).handler(this::createEvent);
    router.get("/events").handler(ctx -> send(ctx, Addresses.EVENT_LIST, Requests.listEvents(ctx), 200));
    router.get("/events/:eventId").handler(ctx ->
      send(ctx, Addresses.EVENT_GET, eventCommand(ctx), 200));
    router.delete("/events/:eventId").handler(this::deleteEvent);
    router.get("/events/:eventId/seats").handler(ctx ->
      vertx.eventBus().<RenderedJson>request(Addresses.EVENT_SEATS, eventCommand(ctx), delivery)
        .onSuccess(map -> ctx.response().putHeader("Content-Type", JSON).end(map.body().bytes()))
        .onFailure(ctx::fail));
    router.post("/events/:eventId/reservations").consumes(JSON).handler(body).handler(this::hold);
    router.get("/events/:eventId/reservations/:reservationId").handler(ctx ->
      send(ctx, Addresses.RESERVATION_GET, eventCommand(ctx)
        .put("reservationId", Requests.pathId(ctx, "reservationId")), 200));
    router.post("/events/:eventId/reservations/:reservationId/confirm").consumes(JSON).handler(body).handler(ctx ->
      send(ctx, Addresses.RESERVATION_CONFIRM, Requests.endHold(ctx, Requests.pathId(ctx, "eventId")), 200));
    router.post("/events/:eventId/reservations/:reservationId/cancel").consumes(JSON).handler(body).handler(ctx ->
      send(ctx, Addresses.RESERVATION_CANCEL, Requests.endHold(ctx, Requests.pathId(ctx, "eventId")), 200));

    router.post("/events/:eventId/waitlist").consumes(JSON).handler(body).handler(this::joinWaitlist);
    router.get("/events/:eventId/waitlist/:userId").handler(ctx ->
      send(ctx, Addresses.WAITLIST_GET, waiterCommand(ctx), 200));
    router.delete("/events/:eventId/waitlist/:userId").handler(ctx ->
      vertx.eventBus().request(Addresses.WAITLIST_LEAVE, waiterCommand(ctx), delivery)
        .onSuccess(left -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail));

    router.get("/events/:eventId/changes").handler(ctx ->
      ChangeStream.open(ctx, Requests.pathId(ctx, "eventId"), config.feedHeartbeatMs(), delivery));

    for (int status : new int[] {400, 401, 403, 404, 405, 406, 409, 413, 415, 500, 503}) {
      router.errorHandler(status, Problem::render);
    }
    return router;
  }

  /**
   * 200 or 503 with {@code ready} and {@code reason}; the cluster's details (node addresses, the
   * address map's counters) only for the admin, as every admin call: with the admin key, or by
   * anyone when none is configured.
   */
  private void ready(RoutingContext ctx) {
    boolean admin = isAdmin(ctx);
    vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_HEALTH, null, delivery)
      .onSuccess(reply -> {
        JsonObject health = reply.body();
        JsonObject answer = admin ? health : new JsonObject().put("ready", health.getBoolean("ready"))
          .put("reason", health.getString("reason"));
        ctx.response()
          .setStatusCode(health.getBoolean("ready") ? 200 : 503)
          .putHeader("Content-Type", JSON)
          .end(answer.toBuffer());
      })
      .onFailure(ctx::fail);
  }

  private boolean isAdmin(RoutingContext ctx) {
    String key = config.adminApiKey();
    return key == null || sameSecret(key, ctx.request().getHeader("X-Admin-Key"));
  }

  private void createEvent(RoutingContext ctx) {
    if (!isAdmin(ctx)) {
      throw Problem.of(401, "unauthorized", "a valid X-Admin-Key header is required");
    }
    JsonObject cmd = Requests.createEvent(Requests.body(ctx), config);
    vertx.eventBus().<JsonObject>request(Addresses.EVENT_CREATE, cmd, delivery)
      .onSuccess(reply -> created(ctx, "/events/" + cmd.getString("id"), reply.body()))
      .onFailure(ctx::fail);
  }

  private void deleteEvent(RoutingContext ctx) {
    if (!isAdmin(ctx)) {
      throw Problem.of(401, "unauthorized", "a valid X-Admin-Key header is required");
    }
    vertx.eventBus().request(Addresses.EVENT_DELETE, eventCommand(ctx), delivery)
      .onSuccess(deleted -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

  private void hold(RoutingContext ctx) {
    String eventId = Requests.pathId(ctx, "eventId");
    vertx.eventBus().<JsonObject>request(Addresses.RESERVATION_HOLD, Requests.hold(ctx, eventId, config), delivery)
      .onSuccess(reply -> created(ctx,
        "/events/" + eventId + "/reservations/" + reply.body().getString("reservationId"), reply.body()))
      .onFailure(ctx::fail);
  }

  private static void created(RoutingContext ctx, String location, JsonObject body) {
    ctx.response().putHeader("Location", location);
    respond(ctx, 201, body);
  }

  /** 201 for a new entry, 200 with the current entry when the user is on the waitlist already. */
  private void joinWaitlist(RoutingContext ctx) {
    JsonObject cmd = Requests.joinWaitlist(ctx, Requests.pathId(ctx, "eventId"), config);
    vertx.eventBus().<JsonObject>request(Addresses.WAITLIST_JOIN, cmd, delivery)
      .onSuccess(reply -> {
        JsonObject entry = reply.body();
        boolean created = (Boolean) entry.remove("created");
        if (created) {
          created(ctx, "/events/" + cmd.getString("eventId") + "/waitlist/" + cmd.getString("userId"), entry);
        } else {
          respond(ctx, 200, entry);
        }
      })
      .onFailure(ctx::fail);
  }

  private static JsonObject waiterCommand(RoutingContext ctx) {
    return eventCommand(ctx).put("userId", Requests.pathId(ctx, "userId"));
  }

  private static JsonObject eventCommand(RoutingContext ctx) {
    return new JsonObject().put("eventId", Requests.pathId(ctx, "eventId"));
  }

  private void send(RoutingContext ctx, String address, JsonObject cmd, int status) {
    vertx.eventBus().<JsonObject>request(address, cmd, delivery)
      .onSuccess(reply -> respond(ctx, status, reply.body()))
      .onFailure(ctx::fail);
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.toBuffer());
  }

  private static boolean sameSecret(String expected, String given) {
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
      given.getBytes(StandardCharsets.UTF_8));
  }
}
