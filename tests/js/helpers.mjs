// Shared fixtures for the front end's unit tests (not a test file itself: node --test
// runs only *.test.mjs here).

/** A storage object with localStorage's methods, kept in a Map. */
export class FakeStorage {
  constructor(entries = {}) {
    this.items = new Map(Object.entries(entries));
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

/** A storage object that throws on every call, as a blocked localStorage does. */
export const blockedStorage = {
  getItem() {
    throw new Error("SecurityError");
  },
  setItem() {
    throw new Error("SecurityError");
  },
  removeItem() {
    throw new Error("SecurityError");
  },
};

/** Run `fn` with globalThis.localStorage set to `storage`, then put the old one back. */
export function withStorage(storage, fn) {
  const had = Object.hasOwn(globalThis, "localStorage");
  const before = globalThis.localStorage;
  Object.defineProperty(globalThis, "localStorage", {
    value: storage,
    configurable: true,
    writable: true,
  });
  try {
    return fn();
  } finally {
    if (had) globalThis.localStorage = before;
    else delete globalThis.localStorage;
  }
}

/** Freeze a value and everything reachable from it (Maps and Sets refuse changes too). */
export function deepFreeze(value, seen = new Set()) {
  if (value === null || typeof value !== "object" || seen.has(value) || Object.isFrozen(value)) {
    return value;
  }
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k, seen);
      deepFreeze(v, seen);
    }
    value.set =
      value.delete =
      value.clear =
        () => {
          throw new TypeError("frozen Map changed");
        };
  } else if (value instanceof Set) {
    for (const v of value) deepFreeze(v, seen);
    value.add =
      value.delete =
      value.clear =
        () => {
          throw new TypeError("frozen Set changed");
        };
  } else {
    for (const v of Object.values(value)) deepFreeze(v, seen);
  }
  return Object.freeze(value);
}

let nextId = 1;

/** A post as the server shapes it, with `fields` over the defaults. */
export function post(fields = {}) {
  const id = fields.id ?? nextId++;
  return {
    id,
    kind: "idea",
    title: `Post ${id}`,
    body: "",
    tag: null,
    author: { id: 1, name: "Ann", anonymous: false },
    state: "visible",
    support_count: 0,
    supporter_ids: [],
    comments: [],
    helpers: [],
    pinned: false,
    dot_count: 0,
    ...fields,
  };
}

/** A snapshot as the page embeds it. */
export function snapshot(fields = {}) {
  return {
    board: "ABCDEF",
    seq: 10,
    me: { id: 1, role: "participant", name: "Ann" },
    participants: 3,
    posts: [],
    groups: [],
    moderation: { hidden: 0, by_reason: {} },
    ...fields,
  };
}

/** An event envelope. */
export function event(seq, type, data = {}, at = "2024-05-01T10:00:00Z") {
  return { board: "ABCDEF", seq, type, data, at };
}
