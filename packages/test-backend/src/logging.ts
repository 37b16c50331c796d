/* A backend's log, kept line by line for the secrets canary. */
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';

type Meta = Parameters<LoggerService['info']>[1];
type Fields = Parameters<LoggerService['child']>[0];

export interface LogLine {
  level: string;
  message: string;
  meta: string;
}

/** A root logger that keeps every line, at every level, for the secrets canary. */
class CapturingLogger implements LoggerService {
  constructor(
    private readonly lines: LogLine[],
    private readonly fields: Fields = {},
  ) {}
  private log(level: string, message: string, meta?: Meta) {
    this.lines.push({
      level,
      message: String(message),
      meta: JSON.stringify({
        ...this.fields,
        ...(meta instanceof Error
          ? { error: `${meta.name}: ${meta.message}\n${meta.stack}` }
          : meta),
      }),
    });
  }
  error(message: string, meta?: Meta) {
    this.log('error', message, meta);
  }
  warn(message: string, meta?: Meta) {
    this.log('warn', message, meta);
  }
  info(message: string, meta?: Meta) {
    this.log('info', message, meta);
  }
  debug(message: string, meta?: Meta) {
    this.log('debug', message, meta);
  }
  child(meta: Fields): LoggerService {
    return new CapturingLogger(this.lines, { ...this.fields, ...meta });
  }
}

/** The root logger of a test backend: every line, at every level, pushed to `lines`. */
export function capturingRootLogger(lines: LogLine[]) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => new CapturingLogger(lines),
  });
}
