//! Bounds on the key-derivation parameters read from an encrypted key file, checked
//! before anything is derived or allocated.
//!
//! A key file names its own scrypt parameters, and scrypt allocates 128 · r · N bytes:
//! a crafted file with N = 2^36 asks for 68 GB and aborts the process. Keys written by
//! this program use N = 2^17, r = 8, p = 1 (128 MiB); a file is accepted only with
//! PBES2 + scrypt and log2 N ≤ [`MAX_LOG_N`], r ≤ [`MAX_R`], p ≤ [`MAX_P`] and at most
//! [`MAX_MEMORY`] bytes of scrypt memory. Anything else (PBES1, PBKDF2, an N that is not
//! a power of two) is a bad key file, not a derivation.

use pkcs8::EncryptedPrivateKeyInfo;
use pkcs8::pkcs5::{EncryptionScheme, pbes2};

/// Largest log2 N (N = 2^20: eight times a key of this program).
pub const MAX_LOG_N: u32 = 20;
/// Largest block size r.
pub const MAX_R: u16 = 16;
/// Largest parallelism p.
pub const MAX_P: u16 = 4;
/// Largest scrypt working memory, 128 · r · (N + p + 2) bytes: 1 GiB.
pub const MAX_MEMORY: u64 = 1 << 30;

/// `Ok` when `encrypted` uses scrypt within the bounds; else why not, in Chinese.
pub fn check(encrypted: &EncryptedPrivateKeyInfo<'_>) -> Result<(), String> {
    let EncryptionScheme::Pbes2(pbes2::Parameters { kdf, .. }) = &encrypted.encryption_algorithm
    else {
        return Err("不是 PBES2 加密的密钥：只支持本程序生成的 scrypt 加密密钥".to_owned());
    };
    let pbes2::Kdf::Scrypt(params) = kdf else {
        return Err("密钥派生算法不是 scrypt：只支持本程序生成的 scrypt 加密密钥".to_owned());
    };
    let n = params.cost_parameter;
    if n < 2 || !n.is_power_of_two() {
        return Err("scrypt 参数 N 无效：应为 2 的幂".to_owned());
    }
    let log_n = n.trailing_zeros();
    let (r, p) = (params.block_size, params.parallelization);
    let memory = u64::from(r)
        .checked_mul(128)
        .and_then(|bytes| bytes.checked_mul(n.checked_add(u64::from(p) + 2)?));
    if log_n > MAX_LOG_N
        || r == 0
        || r > MAX_R
        || p == 0
        || p > MAX_P
        || memory.is_none_or(|m| m > MAX_MEMORY)
    {
        return Err(format!(
            "scrypt 参数超出允许范围（N = 2^{log_n}，r = {r}，p = {p}；允许 N ≤ 2^{MAX_LOG_N}、\
             r ≤ {MAX_R}、p ≤ {MAX_P}、内存 ≤ 1 GiB）：文件可能被篡改"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use der::Encode as _;
    use pkcs8::pkcs5::scrypt;

    use super::*;

    /// The DER of a key encrypted under scrypt with `log_n`, `r`, `p` (nothing derived:
    /// only the parameters are written).
    fn with_params(n: u64, r: u16, p: u16) -> Vec<u8> {
        let salt = [7u8; 16];
        let iv = [9u8; 16];
        let params = scrypt::Params::new(10, 8, 1, 32).unwrap();
        let mut parameters = pbes2::Parameters::scrypt_aes256cbc(params, &salt, &iv).unwrap();
        let pbes2::Kdf::Scrypt(kdf) = &mut parameters.kdf else { unreachable!() };
        kdf.cost_parameter = n;
        kdf.block_size = r;
        kdf.parallelization = p;
        let info = EncryptedPrivateKeyInfo {
            encryption_algorithm: EncryptionScheme::Pbes2(parameters),
            encrypted_data: &[0u8; 48],
        };
        info.to_der().unwrap()
    }

    fn check_der(der: &[u8]) -> Result<(), String> {
        check(&EncryptedPrivateKeyInfo::try_from(der).unwrap())
    }

    #[test]
    fn scrypt_parameters_are_bounded() {
        assert_eq!(check_der(&with_params(1 << 17, 8, 1)), Ok(()));
        assert_eq!(check_der(&with_params(1 << 20, 4, 4)), Ok(()));
        assert_eq!(check_der(&with_params(1 << 19, 8, 4)), Ok(()));
        // 68 GB, the crafted file of the issue; and each bound on its own.
        for (n, r, p) in [
            (1 << 36, 8, 1),
            (1 << 21, 1, 1),
            (1 << 10, 17, 1),
            (1 << 10, 8, 5),
            (1 << 20, 16, 1),
            (1 << 20, 8, 1),
            (0, 8, 1),
            (1, 8, 1),
            (3 << 10, 8, 1),
            (1 << 10, 0, 1),
            (1 << 10, 8, 0),
            (u64::MAX, u16::MAX, u16::MAX),
        ] {
            let err = check_der(&with_params(n, r, p)).unwrap_err();
            assert!(err.contains("scrypt"), "{n} {r} {p}: {err}");
        }
    }
}
