/**
 * `POST /xmlrpc`: Pingback 1.0 over XML-RPC. Every answer is HTTP 200 with a methodResponse or a
 * fault (XML-RPC spec: "unless there's a lower-level error, always return 200 OK"), except 405 for
 * other methods and 413 for bodies over 64 KiB, which are refused before any parsing.
 */
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import type { ClientInfo } from '../domain/comment.js';
import { createClientFaultLog } from '../lib/client-fault-log.js';
import type { Logger } from '../lib/logger.js';
import { resolveTarget } from '../domain/target.js';
import type { Pipeline } from '../pipeline/receive.js';
import {
  ALREADY_REGISTERED_MESSAGE, PINGBACK_FAULT, parsePingbackCall, parseTargetParam, pingbackFaultCode, pingbackSuccessMessage,
} from '../protocols/pingback.js';
import { formatFault, formatMethodResponse, readMethodCall, XMLRPC_FAULT, XmlRpcFault } from '../protocols/xmlrpc.js';
import type { ThreadReader } from '../read/thread-reader.js';
import { classifyError } from './classify-error.js';
import { clientInfo } from './client-info.js';

export interface XmlRpcRouteDeps {
  pipeline: Pipeline;
  reader: ThreadReader;
  sites: readonly string[];
  logger: Logger;
}

type Method = (params: readonly unknown[], client: ClientInfo) => Promise<unknown>;

/** system.multicall may batch this many calls; pingback.ping is never allowed inside it. */
const MULTICALL_LIMIT = 10;

/** Faults that mean "your request is not an XML-RPC call we take": the client's input, not our failure. */
const CLIENT_FAULTS: ReadonlySet<number> = new Set([XMLRPC_FAULT.parseError, XMLRPC_FAULT.unsupportedEncoding, XMLRPC_FAULT.invalidRequest]);

export function xmlrpcRoutes(deps: XmlRpcRouteDeps): Router {
  const router = Router();
  // Anyone can send malformed calls as fast as they like; the log must not grow as fast.
  const clientFault = createClientFaultLog(deps.logger.child({ component: 'xmlrpc' }));

  const methods: Record<string, Method> = {
    'pingback.ping': async (params, client) => {
      const ping = parsePingbackCall(params, client);
      const result = await deps.pipeline.receive(await deps.pipeline.admit(ping));
      if (result.kind === 'duplicate') throw new XmlRpcFault(PINGBACK_FAULT.alreadyRegistered, ALREADY_REGISTERED_MESSAGE);
      return pingbackSuccessMessage(ping.source, ping.target);
    },
    'pingback.extensions.getPingbacks': async (params) => {
      const target = resolveTarget(parseTargetParam(params, 'pingback.extensions.getPingbacks'), deps.sites);
      const { thread, items } = await deps.reader.readThread(target);
      if (!thread) throw new XmlRpcFault(PINGBACK_FAULT.targetNotFound, 'The specified target URL does not exist.');
      return items.filter((c) => c.kind === 'pingback' && c.source !== null).map((c) => c.source);
    },
    'system.listMethods': async () => Object.keys(methods),
    'system.getCapabilities': async () => ({
      xmlrpc: { specUrl: 'http://www.xmlrpc.com/spec', specVersion: 1 },
      faults_interop: { specUrl: 'http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php', specVersion: 20010516 },
      'system.multicall': { specUrl: 'http://www.xmlrpc.com/discuss/msgReader$1208', specVersion: 1 },
    }),
    // Offered for interop, but it cannot amplify: pingback.ping (the only method that fetches) and
    // nesting are refused inside it, and a batch is capped.
    'system.multicall': async (params, client) => {
      const [calls] = params;
      if (params.length !== 1 || !Array.isArray(calls)) throw new XmlRpcFault(XMLRPC_FAULT.invalidParams, 'system.multicall takes one array of calls.');
      if (calls.length > MULTICALL_LIMIT) throw new XmlRpcFault(XMLRPC_FAULT.invalidRequest, `system.multicall accepts at most ${MULTICALL_LIMIT} calls.`);
      const results: unknown[] = [];
      for (const call of calls) {
        const name = (call as { methodName?: unknown } | null)?.methodName;
        const callParams = (call as { params?: unknown } | null)?.params ?? [];
        if (typeof name !== 'string' || !Array.isArray(callParams)) {
          results.push({ faultCode: XMLRPC_FAULT.invalidRequest, faultString: 'Each call needs a methodName string and a params array.' });
        } else if (name === 'system.multicall') {
          results.push({ faultCode: XMLRPC_FAULT.invalidRequest, faultString: 'Recursive calls to system.multicall are forbidden.' });
        } else if (name === 'pingback.ping') {
          results.push({ faultCode: XMLRPC_FAULT.invalidRequest, faultString: 'pingback.ping cannot be called through system.multicall.' });
        } else {
          try {
            results.push([await invoke(name, callParams, client)]);
          } catch (err) {
            const fault = toFault(err);
            results.push({ faultCode: fault.faultCode, faultString: fault.faultString });
          }
        }
      }
      return results;
    },
  };

  function invoke(name: string, params: readonly unknown[], client: ClientInfo): Promise<unknown> {
    const method = Object.hasOwn(methods, name) ? methods[name] : undefined;
    if (!method) throw new XmlRpcFault(XMLRPC_FAULT.methodNotFound, `server error. requested method ${name} does not exist.`);
    return method(params, client);
  }

  function toFault(err: unknown): XmlRpcFault {
    if (err instanceof XmlRpcFault) return err;
    const error = classifyError(err);
    if (error) return new XmlRpcFault(pingbackFaultCode(error.code), error.message);
    deps.logger.error({ err }, 'xml-rpc method failed');
    return new XmlRpcFault(XMLRPC_FAULT.internalError, 'server error. internal error');
  }

  router.all('/xmlrpc', (req, res, next) => {
    if (req.method === 'POST') return next();
    res.status(405).set('Allow', 'POST').type('text/plain').send('XML-RPC server accepts POST requests only.');
  });

  router.post('/xmlrpc', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    try {
      const call = await readMethodCall(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      sendXml(res, 200, formatMethodResponse(await invoke(call.methodName, call.params, clientInfo(req))));
    } catch (err) {
      const fault = toFault(err);
      if (CLIENT_FAULTS.has(fault.faultCode)) clientFault({ ip: clientInfo(req).ip, faultCode: fault.faultCode, reason: fault.faultString }, 'xml-rpc call refused');
      sendXml(res, 200, formatFault(fault.faultCode, fault.faultString));
    }
  });

  router.use('/xmlrpc', ((err, req, res, _next) => {
    const tooLarge = (err as { type?: string }).type === 'entity.too.large';
    // Only the body reader fails here (aborted, over the limit, an encoding it cannot undo): the client's doing.
    const { type, message } = err as { type?: string; message?: string };
    clientFault({ ip: clientInfo(req).ip, type, reason: message }, 'xml-rpc request unreadable');
    sendXml(res, tooLarge ? 413 : 400, formatFault(XMLRPC_FAULT.parseError, tooLarge ? 'parse error. request larger than 64 KiB' : 'parse error. request could not be read'));
  }) as ErrorRequestHandler);
  return router;
}

function sendXml(res: Response, status: number, body: string): void {
  res.status(status).type('text/xml; charset=utf-8').send(body);
}
