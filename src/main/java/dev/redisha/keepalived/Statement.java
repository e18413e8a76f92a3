package dev.redisha.keepalived;

import java.util.List;
import java.util.Optional;

/**
 * One keepalived statement: a keyword, the words after it on its line, and the block in braces
 * that follows it, if any ({@code vrrp_instance VI_1 { ... }}).
 *
 * @param line the 1-based line of the keyword, for every message about it
 */
public record Statement(String keyword, List<String> args, int line, Optional<List<Statement>> block) {
  public Statement {
    args = List.copyOf(args);
    block = block.map(List::copyOf);
  }

  /** The first argument, or empty. */
  public Optional<String> arg() {
    return args.isEmpty() ? Optional.empty() : Optional.of(args.get(0));
  }

  /** The statements of its block; none when it has no block. */
  public List<Statement> children() {
    return block.orElse(List.of());
  }
}
