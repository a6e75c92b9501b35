import type { PortClass } from '../probe/types.js';
import { PORT_CLASS_TABLE } from './knowledge/port-classes.js';

/** A short human label for a port class, for port tables and verdict lines. */
export function describePortClass(portClass: PortClass): string {
  return PORT_CLASS_TABLE[portClass].label;
}
