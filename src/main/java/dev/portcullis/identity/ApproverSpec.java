package dev.portcullis.identity;

import java.util.List;
import java.util.Objects;

/** An operator who may decide approval requests: an id and the hashes of the API keys they present. */
public record ApproverSpec(String id, List<String> keyHashes) {
  public ApproverSpec {
    Objects.requireNonNull(id, "id");
    keyHashes = List.copyOf(keyHashes);
  }
}
