using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastLoss.Tests.TestSupport;

/// <summary>How the loopback server answers a request.</summary>
internal enum LoopbackResponse
{
    /// <summary>200 with the whole body.</summary>
    Complete,

    /// <summary>200 announcing the whole body's length, then closing the connection halfway through it.</summary>
    CloseMidBody,

    /// <summary>404 with no body.</summary>
    NotFound,

    /// <summary>Reads the request and never answers (until the server is disposed).</summary>
    Silent,
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, serving one body for any request: enough to test a
/// download end to end without reaching any other machine. It stops by itself after a time limit.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[] _body;
    private readonly LoopbackResponse _response;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer(byte[] body, LoopbackResponse response, TimeSpan? lifetime = null)
    {
        _body = body;
        _response = response;
        _stop = new CancellationTokenSource(lifetime ?? TimeSpan.FromSeconds(60));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Uri = new Uri($"http://127.0.0.1:{port}/cifar-10-binary.tar.gz");
        _loop = Task.Run(ServeAsync);
    }

    public Uri Uri { get; }

    /// <summary>The number of requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await AnswerAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        NetworkStream stream = client.GetStream();
        await ReadRequestHeadAsync(stream);
        Interlocked.Increment(ref _requests);
        switch (_response)
        {
            case LoopbackResponse.Complete:
                await WriteHeadAsync(stream, "200 OK", _body.Length);
                await stream.WriteAsync(_body, _stop.Token);
                break;
            case LoopbackResponse.CloseMidBody:
                await WriteHeadAsync(stream, "200 OK", _body.Length);
                await stream.WriteAsync(_body.AsMemory(0, _body.Length / 2), _stop.Token);
                break;
            case LoopbackResponse.NotFound:
                await WriteHeadAsync(stream, "404 Not Found", 0);
                break;
            case LoopbackResponse.Silent:
                await Task.Delay(Timeout.Infinite, _stop.Token);
                break;
        }

        await stream.FlushAsync(_stop.Token);
        // Closing the socket (by disposal) ends the response; for CloseMidBody it cuts the body short.
        client.Client.Shutdown(SocketShutdown.Both);
    }

    private async Task ReadRequestHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var buffer = new byte[1024];
        while (!EndsWithBlankLine(head))
        {
            int read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            head.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private async Task WriteHeadAsync(NetworkStream stream, string status, long length)
    {
        string head = $"HTTP/1.1 {status}\r\nContent-Type: application/gzip\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
