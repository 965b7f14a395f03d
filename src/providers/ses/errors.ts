/**
 * SES failures, as the real service names them. One error carries what both API generations
 * need: v2 (restJson1) answers `x-amzn-ErrorType: <code>` and `{"message"}`; v1 (awsQuery)
 * answers `<ErrorResponse><Error><Type/><Code/><Message/></Error>`. The v1 and v2 names differ for
 * the same condition (e.g. throttling), so each error carries both codes.
 * See https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html and
 * https://docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html
 */

interface SesErrorSpec {
  status: number;
  /** restJson1 (v2) error name. */
  v2: string;
  /** awsQuery (v1) error code. */
  v1: string;
  /** v1 `<Type>`: Sender (the caller's fault) or Receiver (the service's). */
  type: "Sender" | "Receiver";
}

const specs = {
  validation: { status: 400, v2: "BadRequestException", v1: "ValidationError", type: "Sender" },
  invalidParameter: {
    status: 400,
    v2: "BadRequestException",
    v1: "InvalidParameterValue",
    type: "Sender",
  },
  serialization: {
    status: 400,
    v2: "SerializationException",
    v1: "MalformedQueryString",
    type: "Sender",
  },
  invalidAction: {
    status: 400,
    v2: "UnknownOperationException",
    v1: "InvalidAction",
    type: "Sender",
  },
  messageRejected: { status: 400, v2: "MessageRejected", v1: "MessageRejected", type: "Sender" },
  sendingPaused: {
    status: 400,
    v2: "SendingPausedException",
    v1: "AccountSendingPausedException",
    type: "Sender",
  },
  throttling: { status: 429, v2: "TooManyRequestsException", v1: "Throttling", type: "Sender" },
  missingAuth: {
    status: 403,
    v2: "MissingAuthenticationTokenException",
    v1: "MissingAuthenticationToken",
    type: "Sender",
  },
  invalidToken: {
    status: 403,
    v2: "UnrecognizedClientException",
    v1: "InvalidClientTokenId",
    type: "Sender",
  },
  templateMissing: {
    status: 404,
    v2: "NotFoundException",
    v1: "TemplateDoesNotExist",
    type: "Sender",
  },
  renderingAttribute: {
    status: 400,
    v2: "BadRequestException",
    v1: "MissingRenderingAttribute",
    type: "Sender",
  },
  notFound: { status: 404, v2: "NotFoundException", v1: "InvalidAction", type: "Sender" },
  internal: { status: 500, v2: "InternalFailure", v1: "InternalFailure", type: "Receiver" },
  unavailable: {
    status: 503,
    v2: "ServiceUnavailable",
    v1: "ServiceUnavailable",
    type: "Receiver",
  },
} as const satisfies Record<string, SesErrorSpec>;

type SesErrorKind = keyof typeof specs;

export class SesError extends Error {
  readonly spec: SesErrorSpec;
  /** A status that overrides the usual one for both APIs (fault rules choose their status). */
  readonly forcedStatus: number | null;

  constructor(kind: SesErrorKind, message: string, forcedStatus: number | null = null) {
    super(message);
    this.name = "SesError";
    this.spec = specs[kind];
    this.forcedStatus = forcedStatus;
  }
}

export function isSesError(value: unknown): value is SesError {
  return value instanceof SesError;
}

/**
 * The v1 query API answers every caller error with 400 (throttling, missing templates included;
 * see the awsQueryError codes in the SDK's model) except authentication (403); v2 uses 404/429.
 */
export function v1Status(error: SesError): number {
  if (error.forcedStatus !== null) return error.forcedStatus;
  return error.spec.type === "Sender" && error.spec.status !== 403 ? 400 : error.spec.status;
}

export function v2Status(error: SesError): number {
  return error.forcedStatus ?? error.spec.status;
}

/** "Email address is not verified. The following identities failed the check in region US-EAST-1: a@x, b@y" */
export function notVerified(region: string, identities: string[]): SesError {
  return new SesError(
    "messageRejected",
    `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${identities.join(", ")}`,
  );
}
