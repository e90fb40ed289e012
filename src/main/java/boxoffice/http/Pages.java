package boxoffice.http;

import io.vertx.ext.web.Router;
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
    // only the jar's own scripts, styles and images, and calls back to the service itself; nothing
    // inline: the pages never insert API text as HTML, and this stops whatever would run if one did
    CSPHandler policy = CSPHandler.create()
      .setDirective("default-src", "'none'")
      .setDirective("script-src", "'self'")
      .setDirective("style-src", "'self'")
      .setDirective("img-src", "'self'")
      .setDirective("connect-src", "'self'")
      .setDirective("base-uri", "'none'")
      .setDirective("form-action", "'none'")
      .setDirective("frame-ancestors", "'none'");
    router.get("/").handler(ctx -> ctx.redirect("/ui/"));
    router.route("/ui/*").handler(policy).handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.get("/ui/events/:eventId").handler(ctx -> ctx.reroute("/ui/event.html"));
    // a release changes the files under the same names: browsers ask again after a minute
    router.route("/ui/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(60)
      .setDefaultContentEncoding("UTF-8"));
  }
}
