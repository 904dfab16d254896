// Lagebild Leipziger Osten: the Anliegen form's hash puzzle, solved in the browser.
// Finds a nonce whose SHA-256("seed:nonce") starts with `bits` zero bits (the server
// checks it with one hash: reports/coordination/concerns.py, Puzzle). Own code, no
// crypto.subtle (missing outside HTTPS), no third-party library. Runs in slices so the
// page stays responsive; sets the component state "nonce" to "seed:nonce" when found.

const K = [];
const H0 = [];
(function primes() {
  const frac = (x) => ((x - Math.floor(x)) * 4294967296) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (found < 8) H0.push(frac(Math.pow(n, 1 / 2)));
    K.push(frac(Math.pow(n, 1 / 3)));
    found++;
  }
})();

const W = new Uint32Array(64);

// First 32 bits of SHA-256 of an ASCII message shorter than 56 bytes (one block).
function firstWord(text) {
  W.fill(0);
  for (let i = 0; i < text.length; i++) W[i >> 2] |= text.charCodeAt(i) << (24 - 8 * (i & 3));
  W[text.length >> 2] |= 0x80 << (24 - 8 * (text.length & 3));
  W[15] = text.length * 8;
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15], b = W[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let [a, b, c, d, e, f, g, h] = H0;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  return (H0[0] + a) >>> 0;
}

const solved = new Map();  // seed -> nonce, across reruns of the page
const tried = new Map();  // seed -> nonces tried so far (a rerun resumes, not restarts)

export function solve(seed, bits, from = 0, limit = Infinity) {
  for (let n = from; n < from + limit; n++) {
    if (firstWord(seed + ":" + n) >>> (32 - bits) === 0) return n;
  }
  return -1;
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const seed = data && data.seed;
  if (!seed) return;
  let note = parentElement.querySelector("p");
  if (!note) {
    note = document.createElement("p");
    note.style.cssText = "margin:0;font-size:0.85rem;opacity:0.7";
    parentElement.appendChild(note);
  }
  if (solved.has(seed)) {
    note.textContent = "Sicherheitsprüfung im Browser erledigt.";
    return;
  }
  note.textContent = "Sicherheitsprüfung im Browser läuft …";
  let stopped = false;
  const step = () => {
    if (stopped) return;
    const from = tried.get(seed) || 0;
    const found = solve(seed, data.bits, from, 20000);
    if (found < 0) { tried.set(seed, from + 20000); setTimeout(step, 0); return; }
    solved.set(seed, String(found));
    note.textContent = "Sicherheitsprüfung im Browser erledigt.";
    setStateValue("nonce", seed + ":" + found);
  };
  setTimeout(step, 0);
  return () => { stopped = true; };
}
