/** A session CSV of `clients` clients with two sessions each, written in 1 MB pieces (large-report tests). */
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeTwoSessionClients(file: string, clients: number): void {
  const fd = openSync(file, 'w');
  let buf = 'client_id,therapist_id,session,date,srs,ors\n';
  for (let i = 0; i < clients; i++) {
    for (let s = 1; s <= 2; s++)
      buf += `C${String(i).padStart(7, '0')},T${i % 50},${s},2024-0${1 + (i % 9)}-1${s},${30 + (i % 100) / 10},${10 + ((i * s) % 250) / 10}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}
