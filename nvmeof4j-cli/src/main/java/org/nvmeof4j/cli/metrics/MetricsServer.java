package org.nvmeof4j.cli.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The {@code --metrics ADDR:PORT} endpoint: a tiny HTTP server (the JDK's {@code com.sun.net.httpserver}) on one
 * daemon thread that answers {@code GET /metrics} (and {@code HEAD}) with Prometheus' text format, 404 for any other
 * path and 405 for any other method. Each scrape builds the text afresh from the counters; nothing runs between
 * scrapes, and the I/O threads are never touched.
 */
public final class MetricsServer implements AutoCloseable
{
    /** The path served. */
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Parse {@code ADDR:PORT}: a host name, an IPv4 address or a bracketed IPv6 address ({@code [::1]:9100}), a
     * colon, and a port 0..65535 (0: any free port).
     *
     * @throws IllegalArgumentException with a one-line reason for anything else
     */
    public static InetSocketAddress parse(final String spec)
    {
        final int colon = spec == null ? -1 : spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1)
        {
            throw new IllegalArgumentException("bad --metrics '" + spec + "' (ADDR:PORT, e.g. 127.0.0.1:9100)");
        }
        String host = spec.substring(0, colon);
        final String portText = spec.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.contains(":"))
        {
            throw new IllegalArgumentException("bad --metrics '" + spec + "': an IPv6 address goes in brackets, " +
                "[ADDR]:PORT");
        }
        final int port;
        try
        {
            port = Integer.parseInt(portText);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad --metrics '" + spec + "': port '" + portText + "' is not a number");
        }
        if (port < 0 || port > 65535 || host.isEmpty())
        {
            throw new IllegalArgumentException("bad --metrics '" + spec + "': port must be 0..65535 after an address");
        }
        try
        {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException("bad --metrics '" + spec + "': unknown host '" + host + "'");
        }
    }

    /**
     * Listen on {@code address} and serve {@code body} on {@link #PATH}.
     *
     * @param body the exposition text, built on the server's thread at each scrape
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static MetricsServer start(final InetSocketAddress address, final Supplier<String> body) throws IOException
    {
        final HttpServer server = HttpServer.create(address, 8);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "nvmeof4j-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, body));
        server.start();
        return new MetricsServer(server, executor);
    }

    private static void handle(final HttpExchange exchange, final Supplier<String> body) throws IOException
    {
        try (exchange)
        {
            final String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath()))
            {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: try " + PATH + "\n", true);
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", true);
                return;
            }
            String text;
            int status = 200;
            try
            {
                text = body.get();
            }
            catch (final RuntimeException e)
            {
                // a collector failing must not take the endpoint down; the scrape fails visibly instead
                status = 500;
                text = "collecting metrics failed: " + e + "\n";
            }
            reply(exchange, status, status == 200 ? PrometheusText.CONTENT_TYPE : "text/plain; charset=utf-8", text,
                !"HEAD".equals(method));
        }
    }

    private static void reply(final HttpExchange exchange, final int status, final String contentType,
        final String text, final boolean withBody) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, withBody ? bytes.length : -1);
        if (withBody)
        {
            try (OutputStream os = exchange.getResponseBody())
            {
                os.write(bytes);
            }
        }
    }

    /** @return the bound address (the actual port when 0 was asked). */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    /** @return {@code http://ADDR:PORT/metrics} for the bound address. */
    public String url()
    {
        final InetSocketAddress a = address();
        final String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + PATH;
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
