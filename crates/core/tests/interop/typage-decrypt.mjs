// Decrypts an age file with typage (npm age-encryption), independent of sealdrop's Rust code.
// Usage: node typage-decrypt.mjs IDENTITY_FILE AGE_FILE > plaintext
import { readFileSync } from "node:fs";
import { Decrypter } from "age-encryption";

const [identityFile, ageFile] = process.argv.slice(2);
const identity = readFileSync(identityFile, "utf8")
  .split("\n")
  .find((l) => l.startsWith("AGE-SECRET-KEY-1"));
const d = new Decrypter();
d.addIdentity(identity);
const plain = await d.decrypt(new Uint8Array(readFileSync(ageFile)));
process.stdout.write(plain);
