package boxoffice.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser pages: plain HTML, CSS and JavaScript modules from {@code webroot/} in the jar, which
 * call the JSON API like any other client. {@code /ui/} lists the events, {@code /ui/events/{id}} is
 * one event's live page (the same file for every id: the page reads the id from its address).
 */
final class Pages {

  private Pages() {
  }

  static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.redirect("/ui/"));
    router.route("/ui/*").handler(policy()).handler(Pages::noSniffing);
    router.get("/ui/events/:eventId").handler(ctx -> ctx.reroute("/ui/event.html"));
    router.route("/ui/*").handler(files("webroot"));
  }

  /**
   * Only the jar's own scripts, styles and images, and calls back to the service itself; nothing
   * inline: the pages never insert API text as HTML, and this stops whatever would run if one did.
   */
  static CSPHandler policy() {
    return CSPHandler.create()
      .setDirective("default-src", "'none'")
      .setDirective("script-src", "'self'")
      .setDirective("style-src", "'self'")
      .setDirective("img-src", "'self'")
      .setDirective("connect-src", "'self'")
      .setDirective("base-uri", "'none'")
      .setDirective("form-action", "'none'")
      .setDirective("frame-ancestors", "'none'");
  }

  static void noSniffing(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  /** The files under {@code root} in the jar; a release changes them under the same names: browsers ask again after a minute. */
  static StaticHandler files(String root) {
    return StaticHandler.create(root).setMaxAgeSeconds(60).setDefaultContentEncoding("UTF-8");
  }
}
