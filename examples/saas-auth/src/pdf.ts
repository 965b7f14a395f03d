/**
 * A one-page PDF with lines of Helvetica text, written by hand to ISO 32000-1: header,
 * numbered objects, a cross-reference table with exact byte offsets (§7.5.4) and a trailer.
 * Invoices need nothing more, and it keeps the example free of a PDF library.
 */
function escapeText(line: string): string {
  // Literal strings (§7.3.4.2): backslash and parentheses are escaped; the rest is kept ASCII.
  return line.replace(/[^\x20-\x7e]/g, "?").replace(/[\\()]/g, (c) => `\\${c}`);
}

export function renderPdf(lines: string[]): Buffer {
  const content = [
    "BT",
    "/F1 12 Tf",
    "14 TL",
    "56 780 Td",
    ...lines.map((l) => `(${escapeText(l)}) Tj T*`),
    "ET",
  ].join("\n");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    `<< /Length ${Buffer.byteLength(content, "latin1")} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  // The binary comment line tells transfer tools the file is binary (§7.5.2).
  let pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, "latin1"));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(pdf, "latin1");
  // Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR LF.
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n\r\n`).join("");
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}
