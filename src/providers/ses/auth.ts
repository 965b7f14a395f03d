/**
 * SigV4 credentials of an SES request. mailproof does not know the secret key, so it accepts any
 * signature but reads the access key id and region from the credential scope
 * (`Credential=AKID/20240101/us-east-1/ses/aws4_request`), in the Authorization header or, for
 * presigned requests, the `X-Amz-Credential` query parameter.
 * See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-auth-methods.html
 */

export interface SesCredentials {
  accessKeyId: string;
  region: string;
}

const DEFAULT_REGION = "us-east-1";

export function readCredentials(
  authorization: string | undefined,
  url: URL,
): SesCredentials | null {
  const scope =
    authorization?.match(/Credential=([^,\s]+)/)?.[1] ?? url.searchParams.get("X-Amz-Credential");
  if (!scope) return null;
  const [accessKeyId, , region] = scope.split("/");
  if (!accessKeyId) return null;
  return { accessKeyId, region: region || DEFAULT_REGION };
}
