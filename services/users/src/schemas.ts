import { Type } from 'typebox';

/** Request and response shapes of the users routes; the OpenAPI document is generated from them. */
export const tags = ['users'];

const Role = Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin')]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);
// Bounds here keep absurd input away from argon2 and the database; the real rules (with clear
// messages) live in the domain code.
const Email = Type.String({ minLength: 1, maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const ShortText = Type.String({ maxLength: 500 });

export const PublicUser = Type.Object({ id: Type.String(), name: Type.String(), role: Role, status: Status });
export const UserContact = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  status: Status,
});

export const SellerProfile = Type.Object({
  id: Type.String(),
  storeName: Type.String(),
  slug: Type.String(),
  description: Type.Optional(Type.String()),
  rating: Type.Optional(Type.Number()),
});

export const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  status: Status,
  createdAt: Type.String(),
  seller: Type.Optional(SellerProfile),
});

export const Session = Type.Object({
  user: Me,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
});

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: ShortText,
    role: Type.Union([Type.Literal('customer'), Type.Literal('seller')]),
    storeName: Type.Optional(ShortText),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false });

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const PatchMeBody = Type.Object(
  {
    name: Type.Optional(ShortText),
    password: Type.Optional(Password),
    currentPassword: Type.Optional(Password),
    storeName: Type.Optional(ShortText),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);

const addressFields = {
  name: ShortText,
  line1: ShortText,
  line2: Type.Optional(ShortText),
  city: ShortText,
  region: Type.Optional(ShortText),
  postalCode: Type.String({ maxLength: 32 }),
  country: Type.String({ maxLength: 8, description: 'ISO 3166-1 alpha-2, e.g. "US"' }),
};

export const AddressBody = Type.Object(
  { ...addressFields, isDefault: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const AddressPatchBody = Type.Partial(AddressBody, { additionalProperties: false });

export const Address = Type.Object({
  ...addressFields,
  id: Type.String(),
  isDefault: Type.Boolean(),
  createdAt: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const SellerParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'Seller id or store slug' }),
});
export const IdsBody = Type.Object({
  // Not checked as UUIDs: the in-process API ignores ids that cannot exist, and so must the remote one.
  ids: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000 }),
});

export const Jwks = Type.Object({
  keys: Type.Array(Type.Object({}, { additionalProperties: true })),
});
