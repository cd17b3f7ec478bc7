package dev.portcullis.identity;

/** The session store contract on the in-memory store. */
class InMemorySessionStoreTest extends SessionStoreContract {
  @Override
  protected SessionStore emptyStore() {
    return new InMemorySessionStore();
  }
}
