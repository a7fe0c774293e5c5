// What this browser keeps between visits, in IndexedDB: each person's device (its CryptoKeys,
// made non-extractable, so script can use them but nobody can read them out) and the identity
// keys they pinned. Nothing else — no token, message or record — is written anywhere.

/**
 * A device as kept: its keys, the person's identity key, and the key of their key backup (absent
 * for devices set up before the key backup reached browsers).
 * @typedef {{signing: CryptoKeyPair, encryption: CryptoKeyPair, identity: CryptoKeyPair | null, keyBackup?: CryptoKey | null}} KeptDevice
 */

const databaseName = "ward";
const version = 1;

/** @returns {Promise<IDBDatabase>} */
function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, version);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("devices")) db.createObjectStore("devices");
      if (!db.objectStoreNames.contains("pins")) db.createObjectStore("pins");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @param {string} store @param {IDBTransactionMode} mode @param {(s: IDBObjectStore) => IDBRequest} action */
async function run(store, mode, action) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = action(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/**
 * The keys of `userID`'s device in this browser, or undefined.
 * @param {string} userID @returns {Promise<KeptDevice | undefined>}
 */
export function loadDevice(userID) {
  return run("devices", "readonly", (s) => s.get(userID));
}

/** @param {string} userID @param {KeptDevice} keys */
export function saveDevice(userID, keys) {
  return run("devices", "readwrite", (s) => s.put(keys, userID));
}

/**
 * The identity keys `owner` pinned, by the user id of whom they belong to (base64).
 * @param {string} owner @returns {Promise<Record<string, string>>}
 */
export async function loadPins(owner) {
  return (await run("pins", "readonly", (s) => s.get(owner))) ?? {};
}

/** @param {string} owner @param {Record<string, string>} pins */
export function savePins(owner, pins) {
  return run("pins", "readwrite", (s) => s.put(pins, owner));
}
