//! bai2 imports of the shared test data, compared with the published expected results.
