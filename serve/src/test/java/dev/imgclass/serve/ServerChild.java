package dev.imgclass.serve;

import java.nio.file.Path;

/**
 * A server in its own JVM for {@link ServerCrashTest}: {@code STORE TOKEN_FILE FLUSH_MS}; prints
 * {@code PORTS public admin} and serves until killed.
 */
public final class ServerChild {
  private ServerChild() {}

  public static void main(String[] args) throws Exception {
    ServeOptions o =
        ServeOptions.defaults()
            .withThreads(1, 2)
            .withPorts(0, 0)
            .withAdminTokenFile(Path.of(args[1]))
            .withEvents(null, Long.parseLong(args[2]));
    InferenceServer s = InferenceServer.start(Path.of(args[0]), o, System.err::println);
    System.out.println("PORTS " + s.port() + " " + s.adminPort().orElseThrow());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
