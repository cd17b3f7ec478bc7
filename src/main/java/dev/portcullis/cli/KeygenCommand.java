package dev.portcullis.cli;

import dev.portcullis.identity.ApiKeys;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code portcullis keygen}: a new agent API key and the hash to configure. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Create an agent API key (256 random bits).",
      "The key is shown once; the configuration stores only its hash."
    })
final class KeygenCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    String key = ApiKeys.generate();
    PrintWriter out = spec.commandLine().getOut();
    out.println("key:  " + key);
    out.println("hash: " + ApiKeys.hash(key));
    out.println();
    out.println("Give the key to the agent (Authorization: Bearer <key>) and add the hash to the");
    out.println("agent's 'keys' in the configuration. The key is not stored anywhere.");
  }
}
