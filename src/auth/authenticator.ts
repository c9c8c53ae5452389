// Who sent a request: `Authorization: Basic` against basic_auth_users, `Authorization: Bearer`
// against bearer_tokens (both bcrypt hashes). A bcrypt check runs once per credential: verified and
// rejected credentials are cached (by a SHA-256 of the credential, never the credential itself),
// so a sender pays it on its first request only, and a client repeating a wrong password costs
// nothing more. Caches are bounded and cleared when the web config changes.
import { createHash } from "node:crypto";
import type { BcryptVerifier } from "./bcryptVerifier.js";
import type { Permission, WebConfig } from "./webConfig.js";

export interface Principal {
  /** the user or token name (the `source` of what it sends) */
  name: string;
  /** what it may send; undefined: everything */
  permissions: ReadonlySet<Permission> | undefined;
}

export type AuthResult = { ok: true; principal: Principal | undefined } | { ok: false };

const MAX_VERIFIED = 1024;
const MAX_REJECTED = 4096;

export class Authenticator {
  /** credential digest → principal name */
  private readonly verified = new Map<string, string>();
  private readonly rejected = new Set<string>();

  constructor(
    private config: WebConfig | undefined,
    private readonly verifier: BcryptVerifier,
  ) {}

  /** A new web config (reload): credentials are checked again. */
  setConfig(c: WebConfig | undefined): void {
    this.config = c;
    this.verified.clear();
    this.rejected.clear();
  }

  /** Synchronous when the answer is known (no credentials needed, or a cached credential). */
  check(authorization: string | undefined): AuthResult | Promise<AuthResult> {
    const c = this.config;
    if (!c || (c.users.size === 0 && c.tokens.size === 0)) return { ok: true, principal: undefined };
    const parsed = parseAuthorization(authorization);
    if (!parsed) return { ok: false };
    const digest = createHash("sha256")
      .update(parsed.kind)
      .update("\0")
      .update(parsed.user)
      .update("\0")
      .update(parsed.secret)
      .digest("base64");
    const known = this.verified.get(digest);
    if (known !== undefined) return { ok: true, principal: this.principal(known) };
    if (this.rejected.has(digest)) return { ok: false };
    const candidates =
      parsed.kind === "basic"
        ? ([[parsed.user, c.users.get(parsed.user)]] as const).filter(
            (x): x is [string, string] => x[1] !== undefined,
          )
        : [...c.tokens];
    // an unknown user is refused without a bcrypt check (user names are not secrets)
    if (candidates.length === 0) {
      this.remember(digest, undefined);
      return { ok: false };
    }
    return this.verifyAny(parsed.secret, candidates).then((name) => {
      // the config may have changed while the check ran: only cache against the same one
      if (this.config === c) this.remember(digest, name);
      return name === undefined ? { ok: false } : { ok: true, principal: this.principal(name) };
    });
  }

  private async verifyAny(
    secret: string,
    candidates: readonly (readonly [string, string])[],
  ): Promise<string | undefined> {
    for (const [name, hash] of candidates) if (await this.verifier.verify(secret, hash)) return name;
    return undefined;
  }

  private principal(name: string): Principal {
    return { name, permissions: this.config?.permissions?.get(name) };
  }

  private remember(digest: string, name: string | undefined): void {
    if (name === undefined) {
      if (this.rejected.size >= MAX_REJECTED) this.rejected.clear();
      this.rejected.add(digest);
      return;
    }
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(digest, name);
  }
}

/** `Basic base64(user:password)` or `Bearer token` (case-insensitive scheme); undefined otherwise. */
export function parseAuthorization(
  h: string | undefined,
): { kind: "basic" | "bearer"; user: string; secret: string } | undefined {
  if (h === undefined) return undefined;
  const m = /^\s*(basic|bearer)\s+(\S+)\s*$/i.exec(h);
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  const value = m[2] as string;
  if (scheme === "bearer") return { kind: "bearer", user: "", secret: value };
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { kind: "basic", user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
