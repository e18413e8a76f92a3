package dev.redisha.keepalived;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads keepalived.conf syntax (keepalived.conf(5)) into statements: one statement per line, a
 * keyword and its words; a {@code {} opens the block of the statement before it (on the same
 * line or alone on the next) and {@code }} closes it; {@code #} or {@code !} at the start of a
 * word comments out the rest of the line; {@code "..."} is one word with its blanks. Braces
 * need no blank around them: keepalived 1.1 read {@code vrrp_instance VI_1{} (the seed's config)
 * as the instance {@code VI_1{}, so a name is cut at a brace here too.
 */
public final class KeepalivedParser {
  private enum Kind { WORD, OPEN, CLOSE, END_OF_LINE }

  private record Token(Kind kind, String text, int line) {}

  private final Path file;
  private final List<Token> tokens;
  private int pos;

  private KeepalivedParser(Path file, List<Token> tokens) {
    this.file = file;
    this.tokens = tokens;
  }

  /** The top-level statements of {@code file}. */
  public static List<Statement> parse(Path file) throws KeepalivedConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      throw new KeepalivedConfigException(file, 1, "not UTF-8 text; expected a keepalived.conf");
    } catch (IOException e) {
      throw new KeepalivedConfigException(file, "cannot read the file: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    return parse(file, text);
  }

  /** The top-level statements of {@code text}; {@code file} only names it in messages. */
  public static List<Statement> parse(Path file, String text) throws KeepalivedConfigException {
    return new KeepalivedParser(file, tokens(file, text)).block(-1);
  }

  /** Words, braces and line ends, with their line numbers; the last token ends the last line. */
  private static List<Token> tokens(Path file, String text) throws KeepalivedConfigException {
    List<Token> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.add(new Token(Kind.END_OF_LINE, "", line++));
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#' || c == '!') {
        while (i < text.length() && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '{' || c == '}') {
        out.add(new Token(c == '{' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), line));
        i++;
      } else if (c == '"') {
        int end = text.indexOf('"', i + 1);
        int newline = text.indexOf('\n', i + 1);
        if (end < 0 || (newline >= 0 && newline < end)) {
          throw new KeepalivedConfigException(file, line, "a quoted string is not closed on its line");
        }
        out.add(new Token(Kind.WORD, text.substring(i + 1, end), line));
        i = end + 1;
      } else {
        int start = i;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))
            && "{}\"".indexOf(text.charAt(i)) < 0) {
          i++;
        }
        out.add(new Token(Kind.WORD, text.substring(start, i), line));
      }
    }
    out.add(new Token(Kind.END_OF_LINE, "", line));
    return out;
  }

  /** Statements up to the {@code }} that closes the block opened at {@code openLine} (-1: the file). */
  private List<Statement> block(int openLine) throws KeepalivedConfigException {
    List<Statement> out = new ArrayList<>();
    while (true) {
      Token t = tokens.get(pos);
      if (pos == tokens.size() - 1) {
        if (openLine >= 0) {
          throw new KeepalivedConfigException(file, openLine,
              "the block opened here is not closed: a '}' is missing before the end of the file");
        }
        return out;
      }
      if (t.kind() == Kind.END_OF_LINE) {
        pos++;
      } else if (t.kind() == Kind.CLOSE) {
        if (openLine < 0) {
          throw new KeepalivedConfigException(file, t.line(), "'}' closes no block");
        }
        pos++;
        return out;
      } else if (t.kind() == Kind.OPEN) {
        // "{" alone on a line opens the block of the statement above it.
        if (out.isEmpty() || out.get(out.size() - 1).block().isPresent()) {
          throw new KeepalivedConfigException(file, t.line(), "'{' follows no keyword");
        }
        Statement owner = out.remove(out.size() - 1);
        pos++;
        out.add(new Statement(owner.keyword(), owner.args(), owner.line(), Optional.of(block(owner.line()))));
      } else {
        out.add(statement());
      }
    }
  }

  private Statement statement() throws KeepalivedConfigException {
    Token keyword = tokens.get(pos++);
    List<String> args = new ArrayList<>();
    while (true) {
      Token t = tokens.get(pos);
      if (t.kind() == Kind.END_OF_LINE) {
        return new Statement(keyword.text(), args, keyword.line(), Optional.empty());
      }
      if (t.kind() == Kind.OPEN) {
        pos++;
        return new Statement(keyword.text(), args, keyword.line(), Optional.of(block(keyword.line())));
      }
      if (t.kind() == Kind.CLOSE) {
        // "}" ends the line's statement too: "virtual_ipaddress { 192.168.1.120 }" on one line.
        return new Statement(keyword.text(), args, keyword.line(), Optional.empty());
      }
      args.add(t.text());
      pos++;
    }
  }
}
