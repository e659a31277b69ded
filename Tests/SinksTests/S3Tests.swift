@testable import Curl
import Foundation
import Testing
@testable import StreamcheckKit

@Suite struct S3XMLTests {
    @Test func parsesAListObjectsV2Page() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>run/</Prefix>
        <KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
        <Contents><Key>run/part-000000.jsonl</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>287</Size></Contents>
        <Contents><Key>run/a&amp;b &lt;c&gt;.jsonl</Key><ETag>"def"</ETag><Size>5</Size></Contents>
        <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>
        """
        let page = try S3XML.parseListObjectsV2(xml)
        #expect(page.objects == [
            S3Object(key: "run/part-000000.jsonl", size: 287, eTag: "\"abc\""),
            S3Object(key: "run/a&b <c>.jsonl", size: 5, eTag: "\"def\""),
        ])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func parsesAnEmptyLastPage() throws {
        let page = try S3XML.parseListObjectsV2(#"<ListBucketResult xmlns="x"><Name>b</Name><Prefix/><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>"#)
        #expect(page == S3ListPage(objects: [], isTruncated: false, nextContinuationToken: nil))
    }

    @Test func refusesSomethingElse() {
        #expect(throws: S3Error.self) { try S3XML.parseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>") }
    }

    @Test func readsErrorDocuments() {
        let xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>x</BucketName></Error>"
        #expect(S3XML.firstValue(of: "Code", in: xml) == "NoSuchBucket")
        #expect(S3XML.firstValue(of: "Message", in: xml) == "The specified bucket does not exist")
        #expect(S3XML.firstValue(of: "RequestId", in: xml) == nil)
    }

    @Test func unescapesEntities() {
        #expect(S3XML.unescape("a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;") == "a&b<>\"'AB")
        #expect(S3XML.unescape("50% & more;") == "50% & more;")
    }
}

@Suite struct S3ClientTests {
    let credentials = S3Credentials(accessKeyId: "AKIA", secretAccessKey: "secret")

    @Test func pathStyleWithAnEndpoint() {
        let client = S3Client(endpoint: "http://127.0.0.1:5000/", region: "us-east-1", credentials: credentials)
        #expect(client.url(bucket: "b", key: "run 1/part+1.jsonl") == "http://127.0.0.1:5000/b/run%201/part%2B1.jsonl")
        #expect(client.url(bucket: "b", query: [("prefix", "run/"), ("list-type", "2"), ("continuation-token", "a+b=")])
            == "http://127.0.0.1:5000/b/?continuation-token=a%2Bb%3D&list-type=2&prefix=run%2F")
    }

    @Test func virtualHostedOnAWS() {
        let client = S3Client(endpoint: nil, region: "eu-west-1", credentials: credentials)
        #expect(client.url(bucket: "b", key: "k.json") == "https://b.s3.eu-west-1.amazonaws.com/k.json")
        #expect(client.endpointDescription == "https://s3.eu-west-1.amazonaws.com")
    }

    @Test func credentialsComeFromTheEnvironment() throws {
        let full = try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"])
        #expect(full.accessKeyId == "k" && full.secretAccessKey == "s" && full.sessionToken == "t")
        #expect(try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": ""]).sessionToken == nil)
        #expect {
            try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "k"])
        } throws: { "\($0)".contains("AWS_SECRET_ACCESS_KEY") }
    }

    @Test func unreachableEndpointIsAnError() {
        let client = S3Client(endpoint: "http://127.0.0.1:1", region: "us-east-1", credentials: credentials, requestTimeout: 2, connectTimeout: 1)
        #expect {
            try client.listObjects(bucket: "b", prefix: "")
        } throws: { "\($0)".contains("127.0.0.1:1") }
    }
}

@Suite struct SinkObjectDecoderTests {
    @Test func readsJSONLines() throws {
        let bytes = Array("{\"a\":1}\r\n\n  \n{\"a\":2}\n{broken\n".utf8)
        let lines = try SinkObjectDecoder.decode(bytes, location: "s3://b/k", format: "auto")
        #expect(lines.count == 3)
        guard case let .record(first, location) = lines[0], case let .record(second, _) = lines[1],
              case let .undecodable(badLocation, _) = lines[2] else { Issue.record("unexpected lines \(lines)"); return }
        #expect(first == .object([("a", .int(1))]) && location == "s3://b/k line 1")
        #expect(second == .object([("a", .int(2))]))
        #expect(badLocation == "s3://b/k line 5")
    }

    @Test func aBrokenAvroContainerIsUndecodable() throws {
        let lines = try SinkObjectDecoder.decode(SinkObjectDecoder.avroMagic + [0, 0], location: "s3://b/k.avro", format: "auto")
        guard lines.count == 1, case let .undecodable(location, reason) = lines[0] else { Issue.record("unexpected \(lines)"); return }
        #expect(location == "s3://b/k.avro")
        #expect(reason.contains("Avro object container"))
    }
}
