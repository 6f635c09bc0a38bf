/** The delegated scopes of the payments API. */
export const SCOPES = {
  read: 'Payments.Read',
  write: 'Payments.Write',
} as const;

/** The app role that may approve payments. */
export const APPROVER_ROLE = 'Payments.Approver';

/**
 * The object id of the payments admin group. Members may approve payments, as holders of
 * `APPROVER_ROLE` may (`@AnyOf` on the route). A fixed, made-up GUID; with Entra, use your
 * group's object id.
 */
export const ADMIN_GROUP_ID = '6f1d2c3b-4a59-4e8d-9c7b-0a1b2c3d4e5f';

/** `client_id` of the tokens `POST /auth/login` issues. */
export const SAMPLE_CLIENT_ID = 'payments-sample';
