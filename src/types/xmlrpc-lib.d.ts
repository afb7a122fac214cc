// @types/xmlrpc declares only the package's main module; its Deserializer and Serializer are reachable
// only as deep imports (xmlrpc@1.3.2 has no "exports" map), so they are declared here.
declare module 'xmlrpc/lib/deserializer.js' {
  import type { Readable } from 'node:stream';
  class Deserializer {
    constructor(encoding?: BufferEncoding);
    deserializeMethodCall(
      stream: Readable,
      callback: (error: Error | null | undefined, methodName?: string, params?: unknown[]) => void,
    ): void;
    /** A `<fault>` arrives as an Error carrying `faultCode` and `faultString`. */
    deserializeMethodResponse(stream: Readable, callback: (error: Error | null | undefined, result?: unknown) => void): void;
  }
  export default Deserializer;
}

declare module 'xmlrpc/lib/serializer.js' {
  export function serializeMethodCall(method: string, params?: unknown[], encoding?: string): string;
  export function serializeMethodResponse(result: unknown): string;
  export function serializeFault(fault: { faultCode: number; faultString: string }): string;
  const serializer: {
    serializeMethodCall: typeof serializeMethodCall;
    serializeMethodResponse: typeof serializeMethodResponse;
    serializeFault: typeof serializeFault;
  };
  export default serializer;
}
