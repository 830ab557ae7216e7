// The few members of `ws` (installed with wrangler's miniflare) that bench/profile-path.ts uses:
// Node 20's built-in WebSocket cannot complete the handshake with wrangler's inspector proxy.
declare module "ws" {
  export default class WebSocket {
    constructor(url: string);
    on(event: "message", listener: (data: Buffer) => void): this;
    once(event: "open", listener: () => void): this;
    once(event: "error", listener: (err: Error) => void): this;
    send(data: string): void;
    close(): void;
  }
}
