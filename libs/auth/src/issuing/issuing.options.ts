/** Options for issuing the API's own tokens. Filled in by the issuing feature. */
export interface IssuingOptions {
  /** `iss` of the tokens this API issues, e.g. `https://api.example.com`. */
  issuer: string;
  /** `aud` of the access tokens this API issues. */
  audience: string | string[];
}
