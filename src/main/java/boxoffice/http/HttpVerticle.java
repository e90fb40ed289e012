package boxoffice.http;

import boxoffice.Config;
import boxoffice.auth.Authenticator;
import boxoffice.auth.VerifiedTokens;
import boxoffice.bus.Addresses;
import boxoffice.bus.Handover;
import boxoffice.bus.RenderedJson;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP/JSON API of the service. It validates requests and sends commands on the event bus; it never
 * calls Redis itself.
 */
public final class HttpVerticle extends VerticleBase {

  /**
   * What the instances of a process share: the port they listen on (known once the first one
   * listens), the tokens verified, the callers' rate limits, the live feeds open.
   */
  public static final class Shared {
    private volatile int port;
    final VerifiedTokens tokens = new VerifiedTokens();
    final RateLimits limits;
    final AtomicInteger feeds = new AtomicInteger();

    public Shared(Config config) {
      this.limits = new RateLimits(config.holdsPerSecond(), config.burst());
    }

    public int port() {
      return port;
    }
  }

  static final int MAX_BODY_BYTES = 64 * 1024;
  /**
   * The longest request line and the most header bytes read (Vert.x's defaults; CRLFs not counted); more
   * is a 414 or 431. Public for the contract check, which tells these answers of no route apart.
   */
  public static final int MAX_REQUEST_LINE = 4096;
  public static final int MAX_HEADERS_BYTES = 8192;
  private static final int COMPRESS_FROM_BYTES = 1024;
  private static final String JSON = "application/json";
  private static final Buffer LIVE = Buffer.buffer("{\"status\":\"UP\"}");

  private final Config config;
  private final Shared shared;
  private Access access;
  /** Commands are served in this process, also when it is a member of a cluster: no network hop. */
  private final DeliveryOptions delivery = new DeliveryOptions(Handover.OPTIONS).setSendTimeout(10_000)
    .setLocalOnly(true);
  private HttpServer server;

  public HttpVerticle(Config config, Shared shared) {
    this.config = config;
    this.shared = shared;
  }

  /** Who may do what is known once the verticle has its Vert.x: the router's handlers need it, also before start. */
  @Override
  public void init(Vertx vertx, Context context) {
    super.init(vertx, context);
    access = new Access(config, config.jwt() == null ? null : new Authenticator(vertx, config.jwt(), shared.tokens),
      shared.limits);
  }

  @Override
  public Future<?> start() {
    // compressed when the client accepts it (a 100,000-seat map is about 2 MB of JSON, a sixth of that gzipped);
    // small answers, such as a hold's, are not worth the time
    HttpServerOptions options = new HttpServerOptions().setPort(config.httpPort()).setTcpNoDelay(true)
      .setCompressionSupported(true).setCompressionContentSizeThreshold(COMPRESS_FROM_BYTES)
      .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
      .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADERS_BYTES);
    return vertx.createHttpServer(options)
      .invalidRequestHandler(Problem::renderUnreadable)
      .requestHandler(router())
      .listen()
      .onSuccess(listening -> {
        server = listening;
        shared.port = listening.actualPort();
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

    router.post("/events").consumes(JSON).handler(body).handler(access::admin).handler(this::createEvent);
    router.get("/events").handler(ctx -> send(ctx, Addresses.EVENT_LIST, Requests.listEvents(ctx), 200));
    router.get("/events/:eventId").handler(ctx ->
      send(ctx, Addresses.EVENT_GET, eventCommand(ctx), 200));
    router.delete("/events/:eventId").handler(access::admin).handler(this::deleteEvent);
    router.get("/events/:eventId/seats").handler(ctx ->
      vertx.eventBus().<RenderedJson>request(Addresses.EVENT_SEATS, eventCommand(ctx), delivery)
        .onSuccess(map -> ctx.response().putHeader("Content-Type", JSON).end(map.body().bytes()))
        .onFailure(ctx::fail));
    // buyer calls: with authentication, the caller comes from the bearer token, before anything is done
    router.post("/events/:eventId/reservations").consumes(JSON).handler(body).handler(access::buyer)
      .handler(this::hold);
    router.get("/events/:eventId/reservations/:reservationId").handler(access::buyer).handler(ctx ->
      send(ctx, Addresses.RESERVATION_GET, eventCommand(ctx)
        .put("reservationId", Requests.pathId(ctx, "reservationId")).put("userId", access.authenticatedUser(ctx)), 200));
    router.post("/events/:eventId/reservations/:reservationId/confirm").consumes(JSON).handler(body)
      .handler(access::buyer).handler(ctx -> send(ctx, Addresses.RESERVATION_CONFIRM, endHold(ctx), 200));
    router.post("/events/:eventId/reservations/:reservationId/cancel").consumes(JSON).handler(body)
      .handler(access::buyer).handler(ctx -> send(ctx, Addresses.RESERVATION_CANCEL, endHold(ctx), 200));

    router.post("/events/:eventId/waitlist").consumes(JSON).handler(body).handler(access::buyer)
      .handler(this::joinWaitlist);
    router.get("/events/:eventId/waitlist/:userId").handler(access::buyer).handler(ctx ->
      send(ctx, Addresses.WAITLIST_GET, waiterCommand(ctx), 200));
    router.delete("/events/:eventId/waitlist/:userId").handler(access::buyer).handler(ctx ->
      vertx.eventBus().request(Addresses.WAITLIST_LEAVE, waiterCommand(ctx), delivery)
        .onSuccess(left -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail));

    router.get("/events/:eventId/changes").handler(this::changes);

    for (int status : new int[] {400, 401, 403, 404, 405, 406, 409, 413, 414, 415, 429, 431, 500, 503}) {
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
    access.isAdmin(ctx).compose(admin -> vertx.eventBus().<JsonObject>request(Addresses.CLUSTER_HEALTH, null, delivery)
      .onSuccess(reply -> {
        JsonObject health = reply.body();
        JsonObject answer = admin ? health : new JsonObject().put("ready", health.getBoolean("ready"))
          .put("reason", health.getString("reason"));
        ctx.response()
          .setStatusCode(health.getBoolean("ready") ? 200 : 503)
          .putHeader("Content-Type", JSON)
          .end(answer.toBuffer());
      }))
      .onFailure(ctx::fail);
  }

  /**
   * The live feed: public, at most {@code feed.maxSubscribers} open in this process (503 beyond);
   * with authentication, its changes name no buyer (see ChangeFeedVerticle).
   */
  private void changes(RoutingContext ctx) {
    String eventId = Requests.pathId(ctx, "eventId");
    String after = ChangeStream.lastEventId(ctx);
    if (shared.feeds.incrementAndGet() > config.maxFeedSubscribers()) {
      shared.feeds.decrementAndGet();
      throw Problem.of(503, "too-many-feeds", "this instance has as many live feeds open as it serves; "
        + "try again in a moment, or another instance");
    }
    ChangeStream.open(ctx, eventId, after, config.feedHeartbeatMs(), delivery, shared.feeds::decrementAndGet);
  }

  private void createEvent(RoutingContext ctx) {
    JsonObject cmd = Requests.createEvent(Requests.body(ctx), config);
    vertx.eventBus().<JsonObject>request(Addresses.EVENT_CREATE, cmd, delivery)
      .onSuccess(reply -> created(ctx, "/events/" + cmd.getString("id"), reply.body()))
      .onFailure(ctx::fail);
  }

  private void deleteEvent(RoutingContext ctx) {
    vertx.eventBus().request(Addresses.EVENT_DELETE, eventCommand(ctx), delivery)
      .onSuccess(deleted -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

  private void hold(RoutingContext ctx) {
    String eventId = Requests.pathId(ctx, "eventId");
    JsonObject body = Requests.body(ctx);
    String user = access.user(ctx, body);
    access.limit(ctx);
    vertx.eventBus().<JsonObject>request(Addresses.RESERVATION_HOLD, Requests.hold(ctx, body, eventId, user, config),
        delivery)
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
    String eventId = Requests.pathId(ctx, "eventId");
    JsonObject body = Requests.body(ctx);
    String user = access.user(ctx, body);
    access.limit(ctx);
    JsonObject cmd = Requests.joinWaitlist(body, eventId, user, config);
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

  /** Confirm or cancel: the reservation's owner, who must be the caller (the script checks). */
  private JsonObject endHold(RoutingContext ctx) {
    return Requests.endHold(ctx, Requests.pathId(ctx, "eventId"), access.user(ctx, Requests.body(ctx)));
  }

  private JsonObject waiterCommand(RoutingContext ctx) {
    return eventCommand(ctx).put("userId", access.pathUser(ctx));
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
}
