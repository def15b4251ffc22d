package ai.t2l.train;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@link GradientShards} across two processes on one machine, over a loopback socket: the leader computes shard 0,
 * the follower shard 1, and each step they swap their arrays (the leader writes first, the follower reads first, so
 * neither can block the other with a full socket buffer). The leader listens on an ephemeral port and writes it,
 * with a random token, into a rendezvous file that the follower polls for; a connection that does not present the
 * token is refused. Every wait has a limit, and a peer that stops (exits, dies) ends the other's step with an error
 * instead of a hang.
 */
public final class GradientPeer implements GradientShards, AutoCloseable {
    /** How long either side waits for the other to appear, and for the other's shard within a step. */
    public static final int WAIT_MILLIS = 10 * 60 * 1000;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The leader's answer to a valid token, so that a follower never mistakes a stale rendezvous for a connection. */
    private static final int ACCEPTED = 0x54;
    /** How often the leader looks up from waiting for a connection to check that the follower still runs. */
    private static final int POLL_MILLIS = 500;

    private final boolean leads;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Path rendezvous;

    private GradientPeer(boolean leads, Socket socket, Path rendezvous) throws IOException {
        this.leads = leads;
        this.socket = socket;
        this.rendezvous = rendezvous;
        socket.setSoTimeout(WAIT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /**
     * The leader's side: listens, publishes {@code rendezvous}, waits up to {@code waitMillis} for the follower, and
     * stops waiting as soon as {@code followerAlive} says its process has ended.
     */
    public static GradientPeer lead(Path rendezvous, int waitMillis, BooleanSupplier followerAlive) {
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(POLL_MILLIS);
            AtomicFiles.writeString(rendezvous, Json.write(Json.MAPPER.createObjectNode()
                    .put("port", server.getLocalPort()).put("token", HexFormat.of().formatHex(token))));
            long deadline = System.currentTimeMillis() + waitMillis;
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    if (!followerAlive.getAsBoolean()) {
                        throw new T2lException("the second process of this stage ended before it connected (its"
                                + " output is above)");
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new T2lException("the second process of this stage did not connect within "
                                + waitMillis / 1000 + " s (rendezvous file " + rendezvous + "); see its output above");
                    }
                    continue;
                }
                if (presents(s, token)) {
                    s.getOutputStream().write(ACCEPTED);
                    s.getOutputStream().flush();
                    return new GradientPeer(true, s, rendezvous);
                }
                s.close();
            }
        } catch (IOException e) {
            deleteQuietly(rendezvous);
            throw new T2lException("cannot listen for the second process of this stage: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(rendezvous);
            throw e;
        }
    }

    /** Whether a new connection sends the token first (within a few seconds). */
    private static boolean presents(Socket s, byte[] token) {
        byte[] presented = new byte[token.length];
        try {
            s.setSoTimeout(10_000);
            new DataInputStream(s.getInputStream()).readFully(presented);
            return MessageDigest.isEqual(presented, token);
        } catch (IOException e) {
            return false;
        }
    }

    /** The follower's side: waits up to {@code waitMillis} for the leader's rendezvous file, then connects. */
    public static GradientPeer follow(Path rendezvous, int waitMillis) {
        long deadline = System.currentTimeMillis() + waitMillis;
        IOException last = null;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(rendezvous)) {
                Socket s = new Socket();
                try {
                    JsonNode r = Json.read(rendezvous);
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.path("port").asInt()), 10_000);
                    DataOutputStream o = new DataOutputStream(s.getOutputStream());
                    o.write(HexFormat.of().parseHex(r.path("token").asText()));
                    o.flush();
                    s.setSoTimeout(10_000);
                    if (s.getInputStream().read() == ACCEPTED) {
                        return new GradientPeer(false, s, null);
                    }
                    s.close(); // a leader that did not know this token: a rendezvous file from an earlier run
                    last = new IOException("the listener at port " + r.path("port").asInt() + " refused the token");
                } catch (IOException | RuntimeException e) { // a file from an earlier run, or the leader not listening yet
                    last = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    closeQuietly(s);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new T2lException("interrupted while waiting for " + rendezvous, e);
            }
        }
        throw new T2lException("the first process of this stage did not open " + rendezvous + " for connections"
                + " within " + waitMillis / 1000 + " s" + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
    }

    @Override
    public int[] own() {
        return leads ? new int[] {0} : new int[] {1};
    }

    @Override
    public boolean leads() {
        return leads;
    }

    @Override
    public List<float[]> all(long step, List<float[]> mine) {
        try {
            if (leads) {
                send(step, mine.get(0));
                return List.of(mine.get(0), receive(step, mine.get(0).length));
            }
            float[] theirs = receive(step, mine.get(0).length);
            send(step, mine.get(0));
            return List.of(theirs, mine.get(0));
        } catch (EOFException | java.net.SocketException e) {
            throw new T2lException("step " + step + ": the other process of this stage stopped (its output is above);"
                    + " run the build again to resume from the last checkpoint", e);
        } catch (SocketTimeoutException e) {
            throw new T2lException("step " + step + ": the other process of this stage sent nothing for "
                    + WAIT_MILLIS / 1000 + " s", e);
        } catch (IOException e) {
            throw new T2lException("step " + step + ": exchanging gradients failed: " + e.getMessage(), e);
        }
    }

    private void send(long step, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        out.writeLong(step);
        out.writeInt(values.length);
        out.write(b.array());
        out.flush();
    }

    private float[] receive(long step, int length) throws IOException {
        long theirStep = in.readLong();
        int n = in.readInt();
        if (theirStep != step || n != length) {
            throw new T2lException("the two processes of this stage are out of step: here step " + step + " with "
                    + length + " values, there step " + theirStep + " with " + n + " (were they started from different"
                    + " checkpoints?)");
        }
        byte[] bytes = new byte[n * Float.BYTES];
        in.readFully(bytes);
        float[] v = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    @Override
    public void close() {
        closeQuietly(socket);
        if (rendezvous != null) {
            deleteQuietly(rendezvous);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover rendezvous file is overwritten by the next leader and refused by its token
        }
    }
}
