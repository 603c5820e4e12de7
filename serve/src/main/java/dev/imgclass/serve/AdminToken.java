package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * The admin API's bearer token, read once from a file only its owner may read (mode 0600 or
 * stricter; the server refuses to start otherwise) and compared in constant time.
 */
final class AdminToken {
  static final int MIN_LENGTH = 16;
  private final byte[] digest;

  private AdminToken(byte[] digest) {
    this.digest = digest;
  }

  static AdminToken read(Path file) {
    try {
      if (!Files.isRegularFile(file))
        throw new ImgclassException("admin token file not found: " + file);
      Set<PosixFilePermission> perms =
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      for (PosixFilePermission p : perms) {
        if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))
          throw new ImgclassException(
              "admin token file "
                  + file
                  + " is open to other users (mode "
                  + PosixFilePermissions.toString(perms)
                  + "): run chmod 600 "
                  + file);
      }
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~'))
        throw new ImgclassException(
            "admin token in "
                + file
                + " must be at least "
                + MIN_LENGTH
                + " printable characters without spaces (e.g. openssl rand -hex 32)");
      return new AdminToken(sha256(token));
    } catch (UnsupportedOperationException e) {
      throw new ImgclassException(
          "cannot check the permissions of " + file + ": the file system has no POSIX modes");
    } catch (IOException e) {
      throw new ImgclassException(
          "cannot read admin token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Whether an {@code Authorization} header carries this token (constant time in its content). */
  boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
      return false;
    // equal-length digests: MessageDigest.isEqual then takes the same time whatever differs
    return MessageDigest.isEqual(digest, sha256(authorization.substring(7).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
