import { createSocket, type Socket } from "node:dgram";

/** Records a test DNS server answers: TXT as strings, A as dotted quads; "SERVFAIL" fails the query. */
export type TestRecords = Record<string, { TXT?: string[]; A?: string[] } | "SERVFAIL">;

export interface TestDnsServer {
  address: string;
  /** Queries received, as "TYPE name". */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: "A", 16: "TXT", 12: "PTR", 15: "MX", 28: "AAAA" };

/**
 * A tiny authoritative DNS server over UDP on loopback (RFC 1035 §4.1 wire format), enough for
 * Node's resolver to get TXT/A answers, NXDOMAIN, NODATA and SERVFAIL. `silent` never answers.
 */
export async function startTestDnsServer(
  records: TestRecords,
  options: { silent?: boolean } = {},
): Promise<TestDnsServer> {
  const socket: Socket = createSocket("udp4");
  const queries: string[] = [];
  socket.on("message", (query, peer) => {
    const { name, type, end } = readQuestion(query);
    queries.push(`${TYPES[type] ?? type} ${name}`);
    if (options.silent) return;
    const entry = records[name.toLowerCase()];
    const rcode = entry === "SERVFAIL" ? 2 : entry ? 0 : 3;
    const rrtype = TYPES[type] as "A" | "TXT" | undefined;
    const answers = entry && entry !== "SERVFAIL" && rrtype ? (entry[rrtype] ?? []) : [];
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8400 | 0x0100 | 0x0080 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((value) => answer(type, value));
    socket.send(Buffer.concat([header, query.subarray(12, end), ...rrs]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function readQuestion(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let offset = 12;
  while (query[offset] > 0) {
    const length = query[offset];
    labels.push(query.toString("latin1", offset + 1, offset + 1 + length));
    offset += length + 1;
  }
  offset += 1;
  return { name: labels.join("."), type: query.readUInt16BE(offset), end: offset + 4 };
}

function answer(type: number, value: string): Buffer {
  const rdata =
    type === 1
      ? Buffer.from(value.split(".").map(Number))
      : Buffer.concat([Buffer.from([Buffer.byteLength(value)]), Buffer.from(value)]);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // class IN
  head.writeUInt32BE(300, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}
