// Spreadsheets (.xlsx, legacy BIFF .xls such as CCB's code-page-936 export) turned into rows of
// string cells, so they go through the same profile detection and normalisation as CSV files.
// SheetJS (the maintained @e965/xlsx republish) is loaded only when a spreadsheet is read.
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../model.js';
import type { RawRow } from './tokenize.js';
import { decodeInput } from './decode.js';

type SheetJs = typeof import('@e965/xlsx');
type Cell = import('@e965/xlsx').CellObject;

let sheetjs: SheetJs | null = null;

function loadSheetJs(): SheetJs {
  if (sheetjs) return sheetjs;
  const require = createRequire(import.meta.url);
  const xlsx = require('@e965/xlsx') as SheetJs;
  // Code pages for BIFF5 and older files whose strings are stored in the workbook's code page
  // (936 = GBK for Chinese exports). BIFF8 strings are UTF-16 and need no table.
  xlsx.set_cptable(require('@e965/xlsx/dist/cpexcel.js'));
  sheetjs = xlsx;
  return xlsx;
}

/** `html`: a web page holding a table, which portals save as `.xls` and Excel opens. */
export type SpreadsheetKind = 'xls' | 'xlsx' | 'html' | 'xml';

/**
 * Whether a ZIP holds a workbook: by its entry names ([Content_Types].xml and xl/… of an .xlsx,
 * mimetype and content.xml of an .ods) in the central directory. A file cut off before its
 * central directory is judged by the names in its local headers, as far as they go.
 */
function looksLikeWorkbookZip(bytes: Uint8Array): boolean {
  const names = zipEntryNames(bytes);
  const workbookPart = (n: string) => n === '[Content_Types].xml' || n.startsWith('xl/') || n === 'mimetype' || n === 'content.xml';
  if (names) return names.some(workbookPart);
  return ['[Content_Types].xml', 'xl/', 'mimetypeapplication/vnd.oasis'].some((part) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(part, 0, 'latin1') >= 0);
}

/** The entry names of a ZIP's central directory, or null when it has none (cut off). */
function zipEntryNames(bytes: Uint8Array): string[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature PK\x05\x06, within the last 64 KiB + 22 bytes.
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const count = view.getUint16(at + 10, true);
    let entry = view.getUint32(at + 16, true);
    const names: string[] = [];
    for (let k = 0; k < count; k++) {
      if (entry + 46 > bytes.length || view.getUint32(entry, true) !== 0x02014b50) return null;
      const nameLength = view.getUint16(entry + 28, true);
      names.push(Buffer.from(bytes.buffer, bytes.byteOffset + entry + 46, nameLength).toString('utf8'));
      entry += 46 + nameLength + view.getUint16(entry + 30, true) + view.getUint16(entry + 32, true);
    }
    return names;
  }
  return null;
}


/** CRC-32 (the ZIP polynomial), table built once. */
let crcTable: Uint32Array | undefined;
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The first ZIP entry whose data does not inflate or fails its CRC, or null when all are whole
 * (or the file has no central directory: a cut-off download, which SheetJS reports itself).
 * SheetJS checks no CRC: a flipped bit gave wrong amounts or lost rows without a word, and some
 * damaged deflate streams made it loop forever (a cron run that never ends).
 */
export function damagedZipEntry(bytes: Uint8Array): { name: string; why: string } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const count = view.getUint16(at + 10, true);
    let entry = view.getUint32(at + 16, true);
    for (let k = 0; k < count; k++) {
      if (entry + 46 > bytes.length || view.getUint32(entry, true) !== 0x02014b50) return { name: '(central directory)', why: 'directory damaged' };
      const method = view.getUint16(entry + 10, true);
      const crc = view.getUint32(entry + 16, true);
      const compressed = view.getUint32(entry + 20, true);
      const size = view.getUint32(entry + 24, true);
      const nameLength = view.getUint16(entry + 28, true);
      const local = view.getUint32(entry + 42, true);
      const name = Buffer.from(bytes.buffer, bytes.byteOffset + entry + 46, nameLength).toString('utf8');
      entry += 46 + nameLength + view.getUint16(entry + 30, true) + view.getUint16(entry + 32, true);
      if (name.endsWith('/')) continue;
      if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) return { name, why: 'entry header missing' };
      // The entry's name in its own header must be the directory's (a damaged name hides a part).
      const localName = Buffer.from(bytes.buffer, bytes.byteOffset + local + 30, Math.min(view.getUint16(local + 26, true), bytes.length - local - 30)).toString('utf8');
      if (localName !== name) return { name, why: 'entry name damaged' };
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      if (start + compressed > bytes.length) return { name, why: 'data cut off' };
      const raw = bytes.subarray(start, start + compressed);
      let data: Uint8Array;
      if (method === 0) data = raw;
      else if (method === 8) {
        try {
          data = inflateRawSync(raw);
        } catch {
          return { name, why: 'compressed data damaged' };
        }
      } else continue; // another method (encrypted, deflate64): SheetJS says what it is
      if (data.length !== size || crc32(data) !== crc) return { name, why: 'checksum (CRC) does not match' };
    }
    return null;
  }
  return null;
}

/** Recognise a spreadsheet by its first bytes: OLE2 compound file (BIFF .xls) or ZIP (.xlsx). */
export function spreadsheetKind(bytes: Uint8Array): SpreadsheetKind | null {
  if (bytes.length >= 8 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0 &&
    bytes[4] === 0xa1 && bytes[5] === 0xb1 && bytes[6] === 0x1a && bytes[7] === 0xe1) return 'xls';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx';
  // An HTML table (an "Excel" export from a web portal): ASCII markup at the start, after any BOM.
  const head = String.fromCharCode(...bytes.subarray(0, 512)).replace(/^(\xef\xbb\xbf|\s)+/, '').toLowerCase();
  if (/^(<!doctype html|<html|<table|<\?xml[^>]*>\s*<html)/.test(head)) return 'html';
  // XML Spreadsheet 2003 (Java and .NET portals save it as .xls; Excel and WPS open it).
  if (/^<\?xml[^>]*>\s*(?:(?:<\?[^>]*\?>|<!--[\s\S]*?-->)\s*)*<(ss:)?workbook\b/.test(head)) return 'xml';
  return null;
}

/** 1904-01-01 is serial 1462 in the 1900 date system (whose day 60 is the Lotus 1900-02-29). */
export const DATE_1904_OFFSET = 1462;

/**
 * A 1904 workbook's serials in the date columns, moved to the 1900 system: every date otherwise
 * reads 4 years and a day early. Only whole serials of dates (5 digits, with a time fraction or
 * not) move; a time of day alone (below 1) and 20251001-style dates are the same in both systems.
 */
export function shiftSerials1904(rows: RawRow[], columns: readonly number[], fromRow: number): RawRow[] {
  return rows.map((row, i) => {
    if (i < fromRow || !columns.some((c) => SERIAL_1904.test(row.cells[c] ?? ''))) return row;
    const cells = row.cells.map((text, c) => (columns.includes(c) && SERIAL_1904.test(text) ? String(Number(text) + DATE_1904_OFFSET) : text));
    return { ...row, cells };
  });
}
const SERIAL_1904 = /^\d{5}(?:\.\d+)?$/;

/** Excel's error values by their stored code, as Excel shows them. */
const EXCEL_ERRORS: Record<number, string> = { 0x00: '#NULL!', 0x07: '#DIV/0!', 0x0f: '#VALUE!', 0x17: '#REF!', 0x1d: '#NAME?', 0x24: '#NUM!', 0x2a: '#N/A', 0x2b: '#GETTING_DATA' };

/** Excel keeps 15 significant digits: a numeric cell with more integer digits is a destroyed ID. */
const EXCEL_EXACT_LIMIT = 1e15;

/**
 * The text of one cell as a CSV export would print it:
 * - text cells as stored (header padding such as `记账日          ` is kept; labels are normalised later);
 * - numbers in their shortest exact form at Excel's 15-digit precision (`16.78`, not
 *   `16.780000000000001`); dates stay Excel serials (`45764.4756944444`), which the date parser reads;
 * - integers of 16+ digits in scientific notation (`6.22202123456789E+18`): Excel has already
 *   dropped their last digits, and the ID checker then reports them unusable instead of matching them;
 * - booleans as TRUE/FALSE, error cells as their error text (`#N/A`).
 */
export function cellText(cell: Cell | undefined): string {
  if (!cell) return '';
  switch (cell.t) {
    case 's': return String(cell.v ?? '');
    case 'n': {
      const v = cell.v as number;
      if (!Number.isFinite(v)) return String(v);
      // An id shown padded with zeros (format 000000000000: RRN 091522000101, trace 000104) is
      // what Excel shows and the other files print: without its zeros it would match nothing.
      if (Number.isInteger(v) && v >= 0 && v < EXCEL_EXACT_LIMIT && typeof cell.z === 'string' && /^0+$/.test(cell.z)) return v.toFixed(0).padStart(cell.z.length, '0');
      if (Number.isInteger(v) && Math.abs(v) >= EXCEL_EXACT_LIMIT) return v.toPrecision(15).replace(/\.?0+e/, 'e').toUpperCase();
      if (Number.isInteger(v)) return v.toFixed(0);
      const shortest = Number(v.toPrecision(15));
      const text = String(shortest);
      // Tiny or huge magnitudes print as 1e-7; spell them out (money never gets there).
      return /e/i.test(text) ? shortest.toFixed(15).replace(/0+$/, '').replace(/\.$/, '') : text;
    }
    case 'b': return cell.v ? 'TRUE' : 'FALSE';
    case 'e': return cell.w ?? EXCEL_ERRORS[cell.v as number] ?? '#ERROR';
    case 'd': return cell.v instanceof Date ? cell.v.toISOString() : String(cell.v ?? '');
    default: return cell.v === undefined || cell.v === null ? '' : String(cell.v);
  }
}

export interface SpreadsheetRows {
  kind: SpreadsheetKind;
  sheet: string;
  rows: RawRow[];
  /**
   * The workbook counts dates from 1904 (Mac Excel's date system): a serial in its date cells is
   * DATE_1904_OFFSET days short of the 1900 serial the date parser reads.
   */
  date1904: boolean;
  /** For `inspect`: format, sheet, code page. */
  reason: string;
  /** Hidden in the workbook (a backup copy the user cannot see): never read as the detail. */
  hidden: boolean;
}

/**
 * Read every non-empty sheet into rows of string cells, in the workbook's order (the caller
 * picks the one holding the transactions: a portal export may open with a summary sheet). Row
 * numbers are the sheet's own (1-based, as Excel shows them) and cells start at column A, so
 * messages cite what the user sees in Excel.
 */
export function readSpreadsheet(bytes: Uint8Array, file: string, kind: SpreadsheetKind): SpreadsheetRows[] {
  const XLSX = loadSheetJs();
  // A ZIP that holds no workbook part (entries under xl/, [Content_Types].xml; an OpenDocument
  // sheet's mimetype or content.xml) is an archive
  // (对账单.zip around a CSV), not a workbook.
  if (kind === 'xlsx' && !looksLikeWorkbookZip(bytes)) {
    throw new InputError(`${file}: this is a ZIP archive, not an Excel workbook`, 'unpack it and give the export inside');
  }
  if (kind === 'xlsx') {
    const damaged = damagedZipEntry(bytes);
    if (damaged) {
      throw new InputError(
        `${file}: the Excel (.xlsx) workbook is damaged (${damaged.name}: ${damaged.why})`,
        'download it again (or open it in Excel or WPS, let it repair the file, and save it again)',
      );
    }
  }
  let wb: import('@e965/xlsx').WorkBook;
  try {
    // An HTML table is text in its own encoding (UTF-8 or GBK); its cells stay text (raw), as the
    // page printed them: 000201 keeps its zeros, an 18-digit id its digits.
    wb = kind === 'html'
      ? XLSX.read(decodeInput(bytes, file).text, { type: 'string', raw: true, cellDates: false })
      : kind === 'xml'
      ? XLSX.read(decodeInput(bytes, file).text, { type: 'string', cellFormula: false, cellHTML: false, cellText: false, cellNF: true, cellDates: false, cellStyles: false, nodim: true })
      // nodim: the range comes from the cells, not the stored <dimension> (a template filler
      // leaves A1:L2 on a sheet of many rows; trusting it dropped every row past it).
      // cellNF: number formats, for ids padded with zeros (money keeps its stored digits: a fee
      // stored 6.175 and its net 1228.825 each shown rounded would no longer add up).
      : XLSX.read(bytes, { type: 'array', cellFormula: false, cellHTML: false, cellText: false, cellNF: true, cellDates: false, cellStyles: false, nodim: true });
  } catch (e) {
    // SheetJS failing inside (a TypeError on a missing part, a ZIP entry cut short) means a
    // damaged or cut-off file.
    const message = (e as Error).message.split('\n')[0];
    // An encrypted .xlsx is an OLE2 container like an .xls: say what it is, not its container.
    if (/password/i.test(message)) {
      throw new InputError(`${file}: the workbook is password-protected`, 'open it in Excel or WPS, remove the password (File › Info › Protect Workbook › Encrypt with Password), save it, or export it as CSV');
    }
    const damaged = e instanceof TypeError || e instanceof RangeError || /zip|compressed|corrupt|end of data|truncated/i.test(message);
    const why = damaged ? 'it is damaged or incomplete (cut off while downloading?)' : message;
    throw new InputError(
      `${file}: cannot read the ${kind === 'xls' ? 'Excel 97–2003 (.xls)' : kind === 'html' ? 'HTML table (.xls)' : kind === 'xml' ? 'XML Spreadsheet 2003 (.xls)' : 'Excel (.xlsx)'} workbook: ${why}`,
      'open it in Excel or WPS and save it again, or export it as CSV',
    );
  }
  const sheets: SpreadsheetRows[] = [];
  const date1904 = kind !== 'html' && Boolean((wb.Workbook?.WBProps as { date1904?: unknown } | undefined)?.date1904);
  for (const [index, name] of wb.SheetNames.entries()) {
    const ws = wb.Sheets[name];
    const ref = ws?.['!ref'];
    if (!ws || !ref) continue;
    const range = XLSX.utils.decode_range(ref);
    const rows: RawRow[] = [];
    let any = false;
    for (let r = 0; r <= range.e.r; r++) {
      const cells: string[] = [];
      for (let c = 0; c <= range.e.c; c++) {
        const text = r < range.s.r || c < range.s.c ? '' : cellText(ws[XLSX.utils.encode_cell({ r, c })] as Cell | undefined);
        cells.push(text);
        if (text !== '') any = true;
      }
      // Trailing empty cells carry nothing (a CSV export would not print them either).
      while (cells.length > 1 && cells[cells.length - 1] === '') cells.pop();
      rows.push({ line: r + 1, endLine: r + 1, cells });
    }
    if (!any) continue;
    const codepage = (wb.Props as { CodePage?: number } | undefined)?.CodePage;
    const format = kind === 'xls' ? `Excel 97–2003 workbook (BIFF${codepage ? `, code page ${codepage}` : ''})` : kind === 'html' ? 'HTML table saved as a spreadsheet' : kind === 'xml' ? 'XML Spreadsheet 2003' : 'Excel workbook (.xlsx)';
    const of = wb.SheetNames.length > 1 ? ` of ${wb.SheetNames.length}` : '';
    const hidden = Boolean(wb.Workbook?.Sheets?.[index]?.Hidden);
    sheets.push({ kind, sheet: name, rows, date1904, hidden, reason: `${format}, sheet "${name}"${of}${date1904 ? ', 1904 date system' : ''}` });
  }
  if (sheets.length > 0) return sheets;
  throw new InputError(`${file}: the workbook has no sheet with any cells`, 'check that the export finished, or export it as CSV');
}
