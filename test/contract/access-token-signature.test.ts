/**
 * The access-token signature port on both adapters: aws-jwt-verify (the authorizer) and jose (the
 * functions with an authenticated route). One contract, `access-token-signature-contract.ts`.
 */
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { JOSE_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/jose-signature.js';
import { accessTokenSignatureContract } from './access-token-signature-contract.js';

accessTokenSignatureContract('aws-jwt-verify', AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE);
accessTokenSignatureContract('jose', JOSE_ACCESS_TOKEN_SIGNATURE);
